namespace ChangeTrail.Domain.Evidence;

/// <summary>
/// One SARIF result, kept so the server can show it. <see cref="Level"/> is <c>error</c>, <c>warning</c>,
/// <c>note</c> or <c>none</c>; <see cref="Location"/> is the first physical location's URI, with
/// <c>:line</c> when the file gives a start line. Long texts are cut (see <see cref="EvidenceParser"/>).
/// </summary>
public sealed record EvidenceFinding(string Level, string? RuleId, string? Message, string? Location);
