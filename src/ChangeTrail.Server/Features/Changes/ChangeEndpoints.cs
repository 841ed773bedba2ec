namespace ChangeTrail.Server.Features.Changes;

public static class ChangeEndpoints
{
    public static void MapChanges(this RouteGroupBuilder api)
    {
        var changes = api.MapGroup("/changes").WithTags("Change requests");
        CreateChange.Map(changes);
        ListChanges.Map(changes);
        GetChange.Map(changes);
        EditChange.Map(changes);
        ChangeLifecycle.Map(changes);
    }
}
