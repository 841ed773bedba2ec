using ChangeTrail.Server.Features.Notifications;

namespace ChangeTrail.Server.Features.Ledger;

public static class LedgerEndpoints
{
    /// <summary>The signing key, resolved at start-up, the checkpoint schedule, and the webhooks every new checkpoint is sent to.</summary>
    public static IServiceCollection AddChangeTrailLedger(this IServiceCollection services)
    {
        services.AddChangeTrailNotifications();
        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton<LedgerAnchor>();
        services.AddScoped<LedgerCheckpoints>();
        services.AddSingleton<CheckpointSchedule>();
        services.AddHostedService(provider => provider.GetRequiredService<CheckpointSchedule>());
        return services;
    }

    public static void MapLedger(this RouteGroupBuilder api)
    {
        var ledger = api.MapGroup("/ledger").WithTags("Ledger");
        GetCheckpoint.Map(ledger);
        SignCheckpoint.Map(ledger);
        GetPublicKey.Map(ledger);
        ListEntries.Map(ledger);
        GetInclusionProof.Map(ledger);
        GetConsistencyProof.Map(ledger);
        ListRecords.Map(ledger);
        GetChangeLedger.Map(api);
    }
}
