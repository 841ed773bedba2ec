namespace ChangeTrail.Server.Features.Notifications;

public static class NotificationServices
{
    /// <summary>
    /// The configured webhooks and SMTP server (checked when first resolved, at the latest when the host starts the sender) and the
    /// senders (the webhooks' with its HTTP client). Features that notify call this; calling it again adds nothing.
    /// </summary>
    public static IServiceCollection AddChangeTrailNotifications(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(NotificationWebhooks)))
            return services;
        services.AddSingleton<NotificationWebhooks>();
        services.AddSingleton<NotificationEmail>();
        services.AddSingleton<Notifier>();
        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = WebhookSender.Timeout)
            // A receiver that moved answers 3xx, which counts as a failure: a POST is not replayed elsewhere unseen.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            // The factory's loggers write every URL, and a webhook URL may carry a token; the sender logs failures itself.
            .RemoveAllLoggers();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookSender>());
        services.AddSingleton<EmailSender>();
        services.AddHostedService(provider => provider.GetRequiredService<EmailSender>());
        services.AddSingleton<DeadlineNotifications>();
        services.AddHostedService(provider => provider.GetRequiredService<DeadlineNotifications>());
        return services;
    }
}
