namespace ChangeTrail.Server.Hosting;

/// <summary>The <c>ChangeTrail</c> configuration section (environment variables <c>ChangeTrail__...</c>).</summary>
public sealed class ChangeTrailOptions
{
    public const string Section = "ChangeTrail";

    /// <summary>Where the embedded database, the generated setup code and later the signing key live.</summary>
    public string DataDirectory { get; set; } = "data";

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>The one-time setup code; when absent, one is generated into <c>&lt;data&gt;/setup-code</c>.</summary>
    public string? SetupCode { get; set; }

    public LedgerOptions Ledger { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();

    public NotificationOptions Notifications { get; set; } = new();
}

/// <summary>
/// The <c>ChangeTrail:Notifications</c> section: where notifications are sent and how often the sender looks for
/// due ones. Checked at start-up (<c>NotificationWebhooks</c>): a bad webhook stops the server.
/// </summary>
public sealed class NotificationOptions
{
    /// <summary>The webhooks (<c>ChangeTrail:Notifications:Webhooks:0:Url</c>, <c>...:0:Secret</c>, ...); each gets every notification.</summary>
    public WebhookOptions[] Webhooks { get; set; } = [];

    /// <summary>How often due deliveries are sent; zero or less turns the sender off (tests send with <c>RunOnceAsync</c>).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class WebhookOptions
{
    /// <summary>An absolute http or https URL the notifications are POSTed to.</summary>
    public string? Url { get; set; }

    /// <summary>
    /// The Standard Webhooks secret that signs each delivery: <c>whsec_</c> and the base64 of 24 to 64 random bytes
    /// (<c>whsec_$(openssl rand -base64 32)</c>); the receiver verifies with the same string.
    /// </summary>
    public string? Secret { get; set; }
}

/// <summary>
/// The <c>ChangeTrail:Retention</c> section: how often the purge runs. The retention period itself is a setting
/// an Admin changes through the API or the UI (a ledger entry), not configuration.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>How often expired change records are purged; zero or less turns the schedule off.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(24);
}

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (the embedded default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";
}

/// <summary>The <c>ChangeTrail:Ledger</c> section: the checkpoint signing key, the log's name and the checkpoint schedule.</summary>
public sealed class LedgerOptions
{
    public const string DefaultOrigin = "changetrail.local/ledger";

    /// <summary>
    /// The log's origin, the first line of every checkpoint, and the signing key's name. A note key name:
    /// no spaces and no '+'. Unset, it is the configured key's name, or <see cref="DefaultOrigin"/>.
    /// </summary>
    public string? Origin { get; set; }

    /// <summary>The signer key (<c>PRIVATE+KEY+name+id+data</c>); every instance of a multi-instance install needs the same one.</summary>
    public string? SigningKey { get; set; }

    /// <summary>A file holding the signer key, for secrets mounted as files. Ignored when <see cref="SigningKey"/> is set.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>Verifier keys of earlier signing keys, still published so checkpoints they signed stay verifiable.</summary>
    public string[] PreviousVerifierKeys { get; set; } = [];

    /// <summary>How often a checkpoint is signed when the log grew; zero or less signs on demand only.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);
}
