using System.Text.Json.Serialization;
using ChangeTrail.Domain.PolicyDocuments;

namespace ChangeTrail.Contracts;

/// <summary>POST /policy/versions: the policy's full text in Markdown, and what changed and why.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ProposePolicyVersionRequest(string? Text, string? Summary);

/// <summary>POST /policy/reviews: what a review of the policy in force found.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PolicyReviewRequest(PolicyReviewOutcome? Outcome, string? Notes);

/// <summary>A version of the policy: its Markdown, the same rendered to safe HTML, and its sign-offs.</summary>
public sealed record PolicyVersionResponse(
    Guid Id,
    string Number,
    string Text,
    string Html,
    string Summary,
    PersonRef ProposedBy,
    DateTime ProposedAt,
    PolicyVersionState State,
    IReadOnlyList<RequiredSignOffDto> RequiredSignOffs,
    IReadOnlyList<SignOffDecisionDto> Decisions,
    DateTime? DecidedAt,
    DateTime? SupersededAt,
    int Version);

/// <summary>A version as the policy's history lists it.</summary>
public sealed record PolicyVersionSummary(Guid Id, string Number, string Summary, PolicyVersionState State, PersonRef ProposedBy, DateTime ProposedAt,
    DateTime? DecidedAt);

public sealed record PolicyReviewDto(Guid Id, PersonRef Reviewer, DateTime ReviewedAt, string PolicyVersion, PolicyReviewOutcome Outcome, string Notes);

/// <summary>
/// GET /policy: the version in force (null before the first is approved), every version newest first, every review newest
/// first, and the cycle: when it was last looked at, when the next review is due, and where that stands now.
/// </summary>
public sealed record PolicyResponse(
    PolicyVersionResponse? InForce,
    IReadOnlyList<PolicyVersionSummary> Versions,
    IReadOnlyList<PolicyReviewDto> Reviews,
    DateTime? NextReviewDue,
    PolicyReviewStatus ReviewStatus);
