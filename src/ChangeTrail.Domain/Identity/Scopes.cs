namespace ChangeTrail.Domain.Identity;

/// <summary>API token scopes (CONTRACT.md). A token may do only what both its scopes and its owner's roles allow.</summary>
public static class Scopes
{
    public const string ChangesRead = "changes:read";
    public const string ChangesWrite = "changes:write";
    public const string ChangesApprove = "changes:approve";
    public const string Gate = "gate";
    public const string GatePrefix = "gate:";
    public const string DeploymentsWrite = "deployments:write";
    public const string EvidenceWrite = "evidence:write";
    public const string SnapshotsWrite = "snapshots:write";
    public const string FindingsTriage = "findings:triage";
    public const string LedgerRead = "ledger:read";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All =
    [
        ChangesRead, ChangesWrite, ChangesApprove, Gate, DeploymentsWrite, EvidenceWrite,
        SnapshotsWrite, FindingsTriage, LedgerRead, Admin,
    ];

    /// <summary>
    /// Scopes that make decisions in a person's name ("Approvals are personal" in ARCHITECTURE.md): held only by a token
    /// its owner created by proving who they are (password, or their own web session), never by one someone else made.
    /// </summary>
    public static readonly IReadOnlySet<string> Personal = new HashSet<string>(StringComparer.Ordinal) { ChangesApprove, FindingsTriage };

    public static bool IsPersonal(string scope) => Personal.Contains(scope);

    /// <summary>The longest scope: <c>gate:</c> and an environment's name.</summary>
    public static readonly int MaxLength = GatePrefix.Length + Services.Service.NameMaxLength;

    /// <summary>A known scope, or <c>gate:&lt;environment&gt;</c> for one environment.</summary>
    public static bool IsValid(string scope) =>
        All.Contains(scope) ||
        (scope.StartsWith(GatePrefix, StringComparison.Ordinal) && scope.Length > GatePrefix.Length && scope.Length <= MaxLength &&
         scope[GatePrefix.Length..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));

    /// <summary>Policy 3.7: a pipeline identity neither approves nor administers, whatever its token says.</summary>
    public static bool AllowedForServiceAccounts(string scope) => scope is not (ChangesApprove or Admin);

    /// <summary><c>gate</c>, or <c>gate:&lt;environment&gt;</c>: a scope that lets a token ask the gate.</summary>
    public static bool IsGateScope(string scope) => scope == Gate || scope.StartsWith(GatePrefix, StringComparison.Ordinal);

    /// <summary>Whether a set of granted scopes covers <paramref name="required"/>; <c>gate</c> covers every <c>gate:env</c>.</summary>
    public static bool Covers(IReadOnlySet<string> granted, string required) =>
        granted.Contains(required) ||
        (required.StartsWith(GatePrefix, StringComparison.Ordinal) && granted.Contains(Gate));
}
