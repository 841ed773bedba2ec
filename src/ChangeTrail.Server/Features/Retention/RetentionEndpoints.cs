namespace ChangeTrail.Server.Features.Retention;

public static class RetentionEndpoints
{
    /// <summary>The purge schedule and the use cases it and the endpoints share.</summary>
    public static IServiceCollection AddChangeTrailRetention(this IServiceCollection services)
    {
        services.AddScoped<PurgeExpiredChanges>();
        services.AddSingleton<RetentionSchedule>();
        services.AddHostedService(provider => provider.GetRequiredService<RetentionSchedule>());
        return services;
    }

    public static void MapRetention(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/settings").WithTags("Settings");
        GetRetention.Map(settings);
        SetRetention.Map(settings);
    }
}
