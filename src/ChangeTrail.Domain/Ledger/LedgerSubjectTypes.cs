namespace ChangeTrail.Domain.Ledger;

/// <summary>
/// The kinds of subject ledger entries are about, as their entries name them. Most are records with a current state
/// that must equal their latest entry, and whose absence from the current records is itself a finding (unless a purge
/// removed them). A few are events with no state of their own — a sign-in, a sign-out, a failed attempt — about which
/// there is nothing current to compare. The server and the verifier both read the kinds from here.
/// </summary>
public static class LedgerSubjectTypes
{
    public const string ChangeRequest = "ChangeRequest";
    public const string User = "User";
    public const string ApiToken = "ApiToken";
    public const string Service = "Service";
    public const string Setting = "Setting";
    public const string Evidence = "Evidence";
    public const string Deployment = "Deployment";
    public const string GateDecision = "GateDecision";
    public const string FreezeWindow = "FreezeWindow";
    public const string PolicyException = "PolicyException";
    public const string ChangeTemplate = "ChangeTemplate";
    public const string PolicyVersion = "PolicyVersion";
    public const string PolicyReview = "PolicyReview";

    /// <summary>A web session: its sign-in and its sign-out.</summary>
    public const string Session = "Session";

    /// <summary>A refused sign-in (wrong password, unknown account, locked, deactivated) and a client's lockout.</summary>
    public const string SignInAttempt = "SignInAttempt";

    private static readonly HashSet<string> EventKinds = new(StringComparer.Ordinal) { Session, SignInAttempt };

    /// <summary>Whether entries of <paramref name="subjectType"/> describe a record that exists now; an unknown kind is taken to.</summary>
    public static bool HasCurrentRecord(string subjectType) => !EventKinds.Contains(subjectType);
}
