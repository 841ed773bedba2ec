namespace ChangeTrail.Persistence.Configuration;

/// <summary>One allocated change number. The table is the portable sequence behind CR-&lt;n&gt; (gaps allowed).</summary>
public sealed class ChangeNumber
{
    public long Id { get; set; }
    public DateTime AllocatedAt { get; set; }
}

/// <summary>One allocated policy exception number: the sequence behind EX-&lt;n&gt;, apart from the changes' own.</summary>
public sealed class PolicyExceptionNumber
{
    public long Id { get; set; }
    public DateTime AllocatedAt { get; set; }
}

/// <summary>
/// The single row written by first-run setup. Its fixed key makes a second, racing setup fail on
/// insert rather than create a second administrator.
/// </summary>
public sealed class Installation
{
    public const int SingletonId = 1;
    public int Id { get; set; } = SingletonId;
    public DateTime SetupAt { get; set; }
    public Guid FirstAdminId { get; set; }
}

/// <summary>
/// The first answer to a POST sent with an Idempotency-Key, replayed to retries of that request by the same credential.
/// The body is kept encrypted (it may hold a secret, such as a new token), and the record expires after a day.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>The credential that sent the request: <c>token:&lt;id&gt;</c> or <c>session:&lt;id&gt;</c>.</summary>
    public string Credential { get; set; } = "";
    public string Key { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public byte[]? ProtectedBody { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// Failed sign-ins of one account from one client. Five within the window lock that client out of that account for a
/// while; the account's owner, signing in from elsewhere, is not locked out by a stranger's guesses.
/// </summary>
public sealed class SignInThrottle
{
    public const int KeyMaxLength = 100;

    /// <summary>The account's user id.</summary>
    public Guid UserId { get; set; }

    /// <summary>The client's address as the server sees it (after trusted forwarded headers).</summary>
    public string Client { get; set; } = "";
    public int Failures { get; set; }
    public DateTime WindowStartedAt { get; set; }
    public DateTime? LockedUntil { get; set; }
}

/// <summary>
/// The retention period in force (policy 3.5), set by an Admin. Without this row nothing is ever purged: an
/// installation keeps every record until someone decides, on the record, how long is long enough.
/// </summary>
public sealed class RetentionSetting
{
    public const int SingletonId = 1;
    public int Id { get; set; } = SingletonId;
    public int Months { get; set; }
    public Guid ChangedById { get; set; }
    public DateTime ChangedAt { get; set; }
}

/// <summary>A deadline announced (its key: the event, the record and the deadline): announced once, whichever instance scans.</summary>
public sealed class SentNotification
{
    public const int KeyMaxLength = 200;

    public string Key { get; set; } = "";
    public DateTime SentAt { get; set; }
}
