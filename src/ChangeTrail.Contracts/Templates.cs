using System.Text.Json.Serialization;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Templates;

namespace ChangeTrail.Contracts;

/// <summary>
/// The body of POST /templates: a Standard change template (policy 3.1). Services by id or name; environments by name, each
/// one at least one of its services has. <c>riskAnswers</c> is the risk assessment, which must come out Low.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TemplateRequest(string? Name, string? Title, string? Description, IReadOnlyList<string>? Services,
    IReadOnlyList<string>? Environments, string? Purpose, string? Scope, string? ImpactAnalysis, string? RollbackPlan, string? TestPlan,
    IReadOnlyDictionary<string, string>? RiskAnswers = null);

/// <summary>
/// PUT /templates/{idOrName}: its author rewrites a template that was never approved (a draft, or one rejected), every field
/// but its name, as in <see cref="TemplateRequest"/>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviseTemplateRequest(string? Title, string? Description, IReadOnlyList<string>? Services, IReadOnlyList<string>? Environments,
    string? Purpose, string? Scope, string? ImpactAnalysis, string? RollbackPlan, string? TestPlan, IReadOnlyDictionary<string, string>? RiskAnswers = null);

/// <summary>POST /templates/{id}/retire: why it leaves the catalog.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RetireTemplateRequest(string? Reason);

/// <summary>The person who becomes the template's author: their id or email.</summary>
public sealed record HandOverTemplateRequest(string? Author);

/// <summary>A decision on a template, in the approval round it was given in.</summary>
public sealed record TemplateDecisionDto(int Round, PersonRef Approver, ApprovalDecision Decision, string? Comment, DateTime At, string? Credential);

/// <summary>
/// A Standard change template. <c>status</c> is its state now (<c>expired</c> once its approval's twelve months are over);
/// <c>requiredApprovals</c> are those of the current round; <c>usage</c> counts the Standard changes made from it;
/// <c>formerAuthors</c> wrote it before it was handed to <c>author</c>.
/// </summary>
public sealed record TemplateResponse(
    Guid Id,
    string Name,
    string Title,
    string? Description,
    IReadOnlyList<ServiceRef> Services,
    IReadOnlyList<string> Environments,
    string? Purpose,
    string? Scope,
    string? ImpactAnalysis,
    string? RollbackPlan,
    string? TestPlan,
    IReadOnlyDictionary<string, string> RiskAnswers,
    IReadOnlyList<string> MissingFields,
    PersonRef Author,
    IReadOnlyList<PersonRef> FormerAuthors,
    DateTime CreatedAt,
    TemplateStatus Status,
    int Round,
    IReadOnlyList<RequiredApprovalDto> RequiredApprovals,
    IReadOnlyList<TemplateDecisionDto> Decisions,
    DateTime? SubmittedAt,
    DateTime? ApprovedAt,
    DateTime? ExpiresAt,
    PersonRef? RetiredBy,
    DateTime? RetiredAt,
    string? RetirementReason,
    int Usage,
    int Version);
