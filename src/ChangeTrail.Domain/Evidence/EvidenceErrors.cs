using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Evidence;

// All three are the uploader's fault and the same status for the API: the lead maps the types onto 400.

/// <summary>The file is none of the accepted formats; <see cref="Found"/> says what it is instead.</summary>
public sealed record EvidenceFormatUnknown(string Found)
    : DomainError(ErrorKind.Unreadable, "evidence-format-unknown", "Not a known evidence format",
        $"Evidence must be JUnit XML, TRX or SARIF 2.1.0, but this is {Found}.");

/// <summary>The file looks like an accepted format but cannot be read: malformed, truncated, a DTD, or the wrong structure.</summary>
public sealed record EvidenceUnreadable(string Reason)
    : DomainError(ErrorKind.Unreadable, "evidence-unreadable", "The evidence file cannot be read", Reason);

/// <summary>A SARIF log of a version other than 2.1.0, whose structure differs from what is counted.</summary>
public sealed record SarifVersionUnsupported(string? Version)
    : DomainError(ErrorKind.Unreadable, "sarif-version-unsupported", "Unsupported SARIF version",
        Version is null
            ? "This SARIF log has no version; only SARIF 2.1.0 is accepted."
            : $"This SARIF log is version \"{Version}\"; only SARIF 2.1.0 is accepted.");
