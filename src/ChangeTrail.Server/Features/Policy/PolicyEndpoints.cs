namespace ChangeTrail.Server.Features.Policy;

/// <summary>The policy document and its review cycle (policy 6).</summary>
public static class PolicyEndpoints
{
    public static void MapPolicy(this RouteGroupBuilder api)
    {
        var policy = api.MapGroup("/policy").WithTags("Policy");
        GetPolicy.Map(policy);
        ProposePolicyVersion.Map(policy);
        DecidePolicyVersion.Map(policy);
        RecordPolicyReview.Map(policy);
    }
}
