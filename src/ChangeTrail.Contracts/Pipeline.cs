using System.Text.Json.Serialization;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Contracts;

/// <summary>
/// The body of POST /gate: may this commit of this service go to this environment under this change? <c>change</c> is
/// the change's number (<c>CR-12</c>) or id; <c>template</c> names a Standard template instead (policy workflows).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record GateRequest(string? Change, string? Template, string? Service, string? Environment, string? Commit, string? Artifact);

public sealed record GateReasonDto(string Code, string Message);

/// <summary>A reason to deny that a policy exception the change cites lifted (<c>exception</c>: EX-3).</summary>
public sealed record GateWaiverDto(string Code, string Message, string Exception);

/// <summary>
/// The gate's answer: <c>decision</c> is <c>allow</c> or <c>deny</c>, with every reason to deny. A denial is a 200, not an
/// error: the question was answered. <c>gateId</c> names the decision, which the ledger holds. <c>waived</c> lists the reasons
/// cited policy exceptions lifted, so an allow they made possible says so.
/// </summary>
public sealed record GateResponse(string Decision, IReadOnlyList<GateReasonDto> Reasons, string? Change, Guid GateId, string Service,
    string Environment, bool Production, string Commit, string? Artifact, DateTime At, IReadOnlyList<GateWaiverDto> Waived);

/// <summary>One gate decision as a change's page and API show it.</summary>
public sealed record GateDecisionDto(Guid Id, string Decision, IReadOnlyList<GateReasonDto> Reasons, string Service, string Environment,
    bool Production, string Commit, string? Artifact, PersonRef AskedBy, string? Credential, DateTime At, IReadOnlyList<GateWaiverDto> Waived);

/// <summary>The body of POST /deployments: a pipeline reports a deployment started, or how it ended.</summary>
/// <param name="GateId">The gate decision that allowed it; when absent, the asker's latest allowing decision for the same question.</param>
/// <param name="ExitCode">The deploy command's exit code, when <c>changetrail deploy -- command</c> ran it.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DeploymentRequest(string? Change, string? Service, string? Environment, string? Commit, string? Artifact,
    DeploymentStatus? Status, string? PipelineUrl, Guid? GateId, int? ExitCode);

public sealed record DeploymentDto(Guid Id, string Change, Guid ChangeId, string ChangeTitle, string Service, string Environment, bool Production,
    string Commit, string? Artifact, DeploymentStatus Status, Guid? GateId, string? PipelineUrl, int? ExitCode, PersonRef DeployedBy,
    DateTime StartedAt, DateTime? FinishedAt);

public sealed record DeploymentPage(IReadOnlyList<DeploymentDto> Items, int Total, int Offset, int Limit);

/// <summary>Findings of a SARIF file by level.</summary>
public sealed record FindingCountsDto(int Error, int Warning, int Note);

public sealed record FindingDto(string Level, string? RuleId, string? Message, string? Location);

/// <summary>
/// An uploaded evidence file: <c>format</c> is <c>junit</c>, <c>trx</c> or <c>sarif</c>, <c>kind</c> the suite it reports
/// (<c>unit</c>, <c>integration</c>, <c>security</c>, <c>smoke</c>), <c>passes</c> whether the gate counts it as passed.
/// </summary>
public sealed record EvidenceResponse(Guid Id, string Sha256, string Format, string Kind, int Passed, int Failed, int Skipped,
    FindingCountsDto Findings, bool Passes, string? Change, string Commit, string? Environment, string FileName, long SizeBytes,
    string? Tool, IReadOnlyList<FindingDto> TopFindings, PersonRef UploadedBy, DateTime UploadedAt);
