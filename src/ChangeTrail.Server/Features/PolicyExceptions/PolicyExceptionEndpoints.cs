namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>The exception register's API (policy 5).</summary>
public static class PolicyExceptionEndpoints
{
    public static void MapPolicyExceptions(this RouteGroupBuilder api)
    {
        var exceptions = api.MapGroup("/exceptions").WithTags("Policy exceptions");
        RequestPolicyException.Map(exceptions);
        ListPolicyExceptions.Map(exceptions);
        DecidePolicyException.Map(exceptions);
        RevokePolicyException.Map(exceptions);
    }
}
