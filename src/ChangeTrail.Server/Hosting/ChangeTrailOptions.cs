namespace ChangeTrail.Server.Hosting;

/// <summary>The <c>ChangeTrail</c> configuration section (environment variables <c>ChangeTrail__...</c>).</summary>
public sealed class ChangeTrailOptions
{
    public const string Section = "ChangeTrail";

    /// <summary>Where the embedded database, the generated setup code and the generated keys live.</summary>
    public string DataDirectory { get; set; } = "data";

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>The one-time setup code; when absent, one is generated into <c>&lt;data&gt;/setup-code</c>.</summary>
    public string? SetupCode { get; set; }

    public LedgerOptions Ledger { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();

    public NotificationOptions Notifications { get; set; } = new();

    public ApiTokenOptions Tokens { get; set; } = new();

    public RateLimitOptions RateLimits { get; set; } = new();

    public KeyRingOptions DataProtection { get; set; } = new();

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    public EvidenceOptions Evidence { get; set; } = new();

    public GateOptions Gate { get; set; } = new();
}

/// <summary>The <c>ChangeTrail:Evidence</c> section: where uploaded test results are kept, how large they may be, what fails a security suite.</summary>
public sealed class EvidenceOptions
{
    public const long DefaultMaxFileBytes = 50L * 1024 * 1024;

    /// <summary>
    /// Where evidence files are stored, by SHA-256; unset, <c>&lt;data&gt;/evidence</c>. Several instances need one shared
    /// folder (a network file system or a mounted volume): a file uploaded to one is downloaded from another.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>The largest evidence file, in bytes (50 MiB by default). A larger one is refused with 413 and nothing is stored.</summary>
    public long MaxFileBytes { get; set; } = DefaultMaxFileBytes;

    /// <summary>The lowest SARIF level that fails a security suite: <c>Error</c> (the default), <c>Warning</c> or <c>Note</c>.</summary>
    public Domain.Pipeline.FindingLevel SecurityFailLevel { get; set; } = Domain.Pipeline.FindingLevel.Error;
}

/// <summary>The <c>ChangeTrail:Gate</c> section.</summary>
public sealed class GateOptions
{
    /// <summary>
    /// The suites whose evidence must have passed before production; unset, unit, integration and security (policy 3.4).
    /// Null rather than the default list: the configuration binder appends to a list it finds, so a default could never shrink.
    /// </summary>
    public List<Domain.Pipeline.EvidenceKind>? RequiredSuites { get; set; }

    /// <summary>How long an allowing gate decision lets its asker start that production deployment.</summary>
    public TimeSpan DecisionValidFor { get; set; } = TimeSpan.FromHours(1);

    public Domain.Gate.GatePolicy Policy => RequiredSuites is { } suites ? new(suites.Distinct().ToList()) : Domain.Gate.GatePolicy.Default;
}

/// <summary>The <c>ChangeTrail:Tokens</c> section.</summary>
public sealed class ApiTokenOptions
{
    /// <summary>
    /// No API token works longer than this after its creation, however it was made or whatever expiry it asked for; a
    /// token created without an expiry expires then. Lowering it takes effect on existing tokens at once.
    /// </summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromDays(365);
}

/// <summary>
/// The <c>ChangeTrail:RateLimits</c> section: requests per client address (after trusted forwarded headers) on the
/// calls that guess or mint credentials. Beyond the limit a client is answered 429 with <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Sign-in (the page, <c>POST /auth/tokens</c>, accepting an invitation).</summary>
    public ClientLimit SignIn { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    /// <summary>First-run setup (the page and <c>POST /setup</c>).</summary>
    public ClientLimit Setup { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Creating API tokens and invitations.</summary>
    public ClientLimit Tokens { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };
}

/// <summary>At most <see cref="PermitLimit"/> requests per <see cref="Window"/> from one client.</summary>
public sealed class ClientLimit
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }
}

/// <summary>
/// The <c>ChangeTrail:DataProtection</c> section: the key that encrypts ASP.NET Core Data Protection's key ring
/// (which signs session cookies and antiforgery tokens) where it is stored, in the database. Unset, one is
/// generated into <c>&lt;data&gt;/dataprotection-key</c>; every instance of a multi-instance install needs the same one.
/// </summary>
public sealed class KeyRingOptions
{
    /// <summary>The base64 of 32 random bytes (<c>openssl rand -base64 32</c>).</summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>A file holding that base64 text, for secrets mounted as files. Ignored when <see cref="KeyEncryptionKey"/> is set.</summary>
    public string? KeyEncryptionKeyFile { get; set; }
}

/// <summary>
/// The <c>ChangeTrail:ForwardedHeaders</c> section: the reverse proxies whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> are believed. None by default, so a direct install ignores those headers.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Addresses of trusted proxies (<c>10.0.0.5</c>, <c>::1</c>).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (<c>10.0.0.0/8</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];
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

    /// <summary>How often passed deadlines are looked for and announced; zero or less turns it off (tests run it with <c>RunOnceAsync</c>).</summary>
    public TimeSpan DeadlineInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The SMTP server that emails the workflow notifications to the people concerned; without a host, none are emailed.</summary>
    public EmailOptions Email { get; set; } = new();

    /// <summary>How often due emails are sent; zero or less turns the email sender off (tests send with <c>RunOnceAsync</c>).</summary>
    public TimeSpan EmailPollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The <c>ChangeTrail:Notifications:Email</c> section. Checked at start-up (<c>NotificationEmail</c>): a host without a
/// valid sender address, or an unknown security mode, stops the server.
/// </summary>
public sealed class EmailOptions
{
    /// <summary>The SMTP server's host name; empty turns email off.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    /// <summary>The sender address (<c>changetrail@example.com</c> or <c>ChangeTrail &lt;changetrail@example.com&gt;</c>); required with a host.</summary>
    public string? From { get; set; }

    /// <summary>
    /// <c>Auto</c> (TLS through STARTTLS when the server offers it), <c>StartTls</c> (required), <c>SslOnConnect</c>
    /// (TLS from the start, usually port 465) or <c>None</c>.
    /// </summary>
    public string Security { get; set; } = "Auto";

    /// <summary>Set both to authenticate; leave both empty for a relay that does not ask.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }
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

    /// <summary>
    /// Where the server remembers the last checkpoint it signed, outside the database, so that it never signs a history
    /// inconsistent with it. Unset, <c>&lt;data&gt;/ledger-last-checkpoint</c>; on several instances, a path each
    /// instance keeps (its own disk) or one they share.
    /// </summary>
    public string? LastCheckpointFile { get; set; }
}
