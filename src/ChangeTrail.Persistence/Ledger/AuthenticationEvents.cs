namespace ChangeTrail.Persistence.Ledger;

/// <summary>
/// A web session's sign-in or sign-out (<see cref="LedgerSubjects.Session"/>). Its id is the one a decision taken in
/// the session records as its credential (<c>session:&lt;id&gt;</c>), so an auditor can go from an approval to the
/// sign-in behind it.
/// </summary>
public sealed record SessionEvent(string SessionId, Guid UserId, string Method);

/// <summary>
/// A refused sign-in, or a client's lockout (<see cref="LedgerSubjects.SignInAttempt"/>). An attempt on no known
/// account names the SHA-256 of the address typed, never the text itself: people type passwords into the email box.
/// </summary>
public sealed record SignInAttemptEvent(Guid? UserId, string? AccountHash, string Reason, string Via)
{
    /// <summary>The entry's subject id: the account, or <c>unknown</c>.</summary>
    public string SubjectId => UserId?.ToString() ?? "unknown";
}
