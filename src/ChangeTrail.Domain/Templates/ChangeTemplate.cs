using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;

namespace ChangeTrail.Domain.Templates;

public enum TemplateState
{
    /// <summary>Being written by its author.</summary>
    Draft,
    /// <summary>Awaiting its approvals, as a Normal change would.</summary>
    Submitted,
    /// <summary>Approved: it makes Standard changes until it expires.</summary>
    Published,
    /// <summary>An approver refused it.</summary>
    Rejected,
    /// <summary>Withdrawn from the catalog; its changes stay on the record.</summary>
    Retired,
}

/// <summary>What a template is at a moment: its state, with a published one past its expiry shown as expired.</summary>
public enum TemplateStatus
{
    Draft,
    Submitted,
    Published,
    Expired,
    Rejected,
    Retired,
}

/// <summary>A decision on a template, in the approval round it was given in: a re-approval after expiry starts a new round.</summary>
public sealed class TemplateDecision
{
    private TemplateDecision() { }

    public TemplateDecision(int round, Guid approverId, ApprovalDecision decision, string? comment, IReadOnlyList<ApprovalSlot> fillable,
        DateTime at, string? credential)
    {
        Round = round;
        ApproverId = approverId;
        Decision = decision;
        Comment = comment;
        Fillable = fillable.ToList();
        At = at;
        Credential = credential;
    }

    public int Round { get; private set; }
    public Guid ApproverId { get; private set; }
    public ApprovalDecision Decision { get; private set; }
    public string? Comment { get; private set; }
    public List<ApprovalSlot> Fillable { get; private set; } = [];
    public DateTime At { get; private set; }
    public string? Credential { get; private set; }
}

/// <summary>
/// A Standard change template (policy 3.1: "pre-approved low-risk, repeatable changes"): the documentation of a routine change,
/// its services and the environments it may go to, with a Low risk assessment. It is approved once as a Normal change would
/// be (a Change Approver, and Security Team sign-off where its services hold regulated data or a security control), then
/// makes Standard changes that need no approval of their own — still gated, deployed, verified and logged. Its approval
/// lasts twelve months; then it must be approved again. An expired or retired template makes no changes.
/// </summary>
public sealed class ChangeTemplate
{
    public const int NameMaxLength = 100;
    public const int TitleMaxLength = ChangeContent.TitleMaxLength;
    public const int TextMaxLength = ChangeContent.TextMaxLength;
    public const int MaxServices = ChangeContent.MaxServices;
    public const int MaxEnvironments = 20;

    /// <summary>How long an approval of a template lasts (the "12 months after approval").</summary>
    public const int ValidityMonths = 12;

    /// <summary>The planned window of a Standard change the gate opens: from the question, this long.</summary>
    public static readonly TimeSpan GateOpenedWindow = TimeSpan.FromHours(24);

    private TemplateDecision[] CurrentRound => Decisions.Where(d => d.Round == Round).ToArray();

    private ChangeTemplate() { }

    public Guid Id { get; private set; }

    /// <summary>The name pipelines use (<c>routine-patching</c>): lower-case letters, digits and hyphens.</summary>
    public string Name { get; private set; } = "";
    public string Title { get; private set; } = "";
    public string? Description { get; private set; }
    public List<Guid> Services { get; private set; } = [];

    /// <summary>The environments its changes may be deployed to (production among them, or not).</summary>
    public List<string> Environments { get; private set; } = [];
    public string? Purpose { get; private set; }
    public string? Scope { get; private set; }
    public string? ImpactAnalysis { get; private set; }
    public string? RollbackPlan { get; private set; }
    public string? TestPlan { get; private set; }
    public Dictionary<string, string> RiskAnswers { get; private set; } = [];
    public Guid AuthorId { get; private set; }

    /// <summary>Who wrote it before it was handed to its author: none of them may approve it either (policy 3.7).</summary>
    public List<Guid> FormerAuthors { get; private set; } = [];
    public DateTime CreatedAt { get; private set; }
    public TemplateState State { get; private set; }

    /// <summary>The approval round: 1 for the first approval, one more for each re-approval.</summary>
    public int Round { get; private set; }
    public List<ApprovalSlot> RequiredApprovals { get; private set; } = [];
    public List<TemplateDecision> Decisions { get; private set; } = [];
    public DateTime? SubmittedAt { get; private set; }
    public DateTime? ApprovedAt { get; private set; }
    public DateTime? ExpiresAt { get; private set; }
    public Guid? RetiredById { get; private set; }
    public DateTime? RetiredAt { get; private set; }
    public string? RetirementReason { get; private set; }
    public int Version { get; private set; }

    public ApprovalRule<ApprovalSlot> Rule => new(RequiredApprovals, ApprovalSlots.FillableBy, ApprovalSlots.Describe, "policy 3.7");

    /// <summary>Whether <paramref name="name"/> is a template name: 2 to 100 of a-z, 0-9 and '-', starting with a letter.</summary>
    public static bool IsName(string? name) =>
        name is { Length: >= 2 and <= NameMaxLength } && char.IsAsciiLetterLower(name[0]) &&
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    public static Result<ChangeTemplate> Create(Guid id, string? name, TemplateContent content, Actor author, DateTime now)
    {
        if (author.IsServiceAccount || !author.Has(Role.Requestor))
            return new RoleRequired("write a Standard change template", [nameof(Role.Requestor)]);
        var errors = new ValidationErrors();
        if (!IsName(name))
            errors.Add("name", "2 to 100 lower-case letters, digits and hyphens, starting with a letter (routine-patching).");
        content.Check(errors);
        if (errors.Any)
            return errors.ToResult().Error!;

        var template = new ChangeTemplate
        {
            Id = id,
            Name = name!,
            AuthorId = author.Id,
            CreatedAt = now,
            State = TemplateState.Draft,
        };
        template.Apply(content);
        return template;
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may rewrite it now: its author, while it has never been approved — a draft, or a
    /// template rejected in its first round. An approved template's content stays as approved (its changes were made from
    /// it); to change one, write a new template.
    /// </summary>
    public Result CanRevise(Actor actor, DateTime now)
    {
        if (actor.Id != AuthorId || !actor.Has(Role.Requestor))
            return new NotTheTemplateAuthor(Name);
        return State == TemplateState.Draft || (State == TemplateState.Rejected && ApprovedAt is null)
            ? Result.Success
            : new TemplateInvalidTransition(Name, StatusAt(now), "be revised");
    }

    /// <summary>
    /// Its author rewrites everything but its name, checked as when it was written. A rejected template becomes a draft
    /// again; submitted, it opens a new round, in which the earlier rejection does not count.
    /// </summary>
    public Result Revise(Actor actor, TemplateContent content, DateTime now)
    {
        var check = CanRevise(actor, now);
        if (!check.IsSuccess)
            return check;
        var errors = new ValidationErrors();
        content.Check(errors);
        if (errors.Any)
            return errors.ToResult();
        Apply(content);
        State = TemplateState.Draft;
        Version++;
        return Result.Success;
    }

    private void Apply(TemplateContent content)
    {
        Title = content.Title!.Trim();
        Description = content.Description;
        Services = content.Services.Distinct().ToList();
        Environments = content.Environments.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        Purpose = content.Purpose;
        Scope = content.Scope;
        ImpactAnalysis = content.ImpactAnalysis;
        RollbackPlan = content.RollbackPlan;
        TestPlan = content.TestPlan;
        RiskAnswers = new Dictionary<string, string>(content.RiskAnswers, StringComparer.Ordinal);
    }

    public TemplateStatus StatusAt(DateTime now) => State switch
    {
        TemplateState.Published when now >= ExpiresAt => TemplateStatus.Expired,
        TemplateState.Published => TemplateStatus.Published,
        TemplateState.Draft => TemplateStatus.Draft,
        TemplateState.Submitted => TemplateStatus.Submitted,
        TemplateState.Rejected => TemplateStatus.Rejected,
        _ => TemplateStatus.Retired,
    };

    /// <summary>Policy 3.2's documentation of a routine change and a risk assessment that comes out Low: what a template needs before approval.</summary>
    public IReadOnlyList<string> MissingRequiredFields(RiskQuestionnaire questionnaire)
    {
        var missing = new[] { ("purpose", Purpose), ("scope", Scope), ("impactAnalysis", ImpactAnalysis), ("rollbackPlan", RollbackPlan), ("testPlan", TestPlan) }
            .Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => f.Item1).ToList();
        missing.AddRange(questionnaire.Unanswered(RiskAnswers).Select(key => $"riskAnswers.{key}"));
        return missing;
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may submit it for approval now: its author, with every field filled and a Low risk
    /// assessment; a draft, or a published template whose approval expired (re-approval).
    /// </summary>
    public Result CanSubmit(Actor actor, RiskQuestionnaire questionnaire, DateTime now)
    {
        if (actor.Id != AuthorId || !actor.Has(Role.Requestor))
            return new NotTheTemplateAuthor(Name);
        if (State != TemplateState.Draft && StatusAt(now) != TemplateStatus.Expired)
            return new TemplateInvalidTransition(Name, StatusAt(now), "be submitted");
        var missing = MissingRequiredFields(questionnaire);
        if (missing.Count > 0)
            return new MissingRequiredFields(missing);
        // Policy 3.1: only low-risk changes are pre-approved. A regulated service lifts a change's security risk to Medium
        // and asks for Security sign-off; the template's own answers must still come out Low.
        if (questionnaire.Assess(RiskAnswers, false).Overall != RiskLevel.Low)
            return new TemplateRiskNotLow(Name, questionnaire.Assess(RiskAnswers, false).Overall);
        return Result.Success;
    }

    public Result Submit(Actor actor, RiskQuestionnaire questionnaire, IReadOnlyList<ServiceProfile> services, DateTime now)
    {
        var check = CanSubmit(actor, questionnaire, now);
        if (!check.IsSuccess)
            return check;
        RequiredApprovals = ApprovalPolicy.RequirementsFor(ChangeType.Normal, RiskLevel.Low, services.Any(s => s.NeedsSecuritySignOff)).ToList();
        Round++;
        State = TemplateState.Submitted;
        SubmittedAt = now;
        Version++;
        return Result.Success;
    }

    public Result CanDecide(Actor approver, ApprovalDecision decision, DateTime now) =>
        DecisionFor(approver, decision, null, now).Error is { } error ? error : Result.Success;

    /// <summary>Records an approver's decision in this round; one rejection ends it, and every required approval publishes it for twelve months.</summary>
    public Result Decide(Actor approver, ApprovalDecision decision, string? comment, DateTime now)
    {
        var decided = DecisionFor(approver, decision, comment, now);
        if (!decided.IsSuccess)
            return decided.Error!;
        Decisions.Add(decided.Value!);
        if (decision == ApprovalDecision.Reject)
            State = TemplateState.Rejected;
        else if (Rule.Outstanding(Given(CurrentRound)).Count == 0)
        {
            State = TemplateState.Published;
            ApprovedAt = now;
            ExpiresAt = now.AddMonths(ValidityMonths);
        }
        Version++;
        return Result.Success;
    }

    private Result<TemplateDecision> DecisionFor(Actor approver, ApprovalDecision decision, string? comment, DateTime now)
    {
        if (State != TemplateState.Submitted)
            return new TemplateInvalidTransition(Name, StatusAt(now), decision == ApprovalDecision.Approve ? "be approved" : "be rejected");
        if (FormerAuthors.Contains(approver.Id))
            return new SelfSignOffForbidden($"template {Name}", "policy 3.7");
        var admitted = Rule.Admit(approver, decision, comment, AuthorId, Given(CurrentRound), $"template {Name}");
        return admitted.IsSuccess
            ? new TemplateDecision(Round, approver.Id, decision, comment, admitted.Value!, now, approver.Credential)
            : admitted.Error!;
    }

    /// <summary>For each required approval of the current round, who gave it (null when outstanding).</summary>
    public IReadOnlyList<Guid?> Assignments() => Rule.Assignments(Given(CurrentRound));

    private static IEnumerable<GivenDecision<ApprovalSlot>> Given(IEnumerable<TemplateDecision> decisions) =>
        decisions.Select(d => new GivenDecision<ApprovalSlot>(d.ApproverId, d.Decision, d.Fillable));

    /// <summary>Whether <paramref name="actor"/> may withdraw it from the catalog now: its author, a Change Approver or an Admin, while it is not already out of it.</summary>
    public Result CanRetire(Actor actor, DateTime now)
    {
        if (State is TemplateState.Retired or TemplateState.Rejected)
            return new TemplateInvalidTransition(Name, StatusAt(now), "be retired");
        if (actor.Id != AuthorId && !actor.HasAny(Role.ChangeApprover, Role.Admin))
            return new RoleRequired($"retire template {Name}", [nameof(Role.ChangeApprover), nameof(Role.Admin)]);
        return Result.Success;
    }

    /// <summary>Its author, a Change Approver or an Admin withdraws it from the catalog, with the reason.</summary>
    public Result Retire(Actor actor, string? reason, DateTime now)
    {
        var check = CanRetire(actor, now);
        if (!check.IsSuccess)
            return check;
        if (ValidationFailed.Required("reason", reason, TextMaxLength) is { } missing)
            return missing;
        State = TemplateState.Retired;
        RetiredById = actor.Id;
        RetiredAt = now;
        RetirementReason = reason;
        Version++;
        return Result.Success;
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may hand it to another author now: its author, or an Admin (for one whose author left:
    /// only the author submits a template, so an expired one could otherwise never be approved again), while it is in the
    /// catalog or on its way there.
    /// </summary>
    public Result CanHandOver(Actor actor, DateTime now)
    {
        if (actor.Id != AuthorId && !actor.Has(Role.Admin))
            return new NotTheTemplateAuthorNorAdmin(Name);
        return State == TemplateState.Retired ? new TemplateInvalidTransition(Name, StatusAt(now), "be handed over") : Result.Success;
    }

    /// <summary>
    /// Makes <paramref name="successor"/> its author: a person with the Requestor role, who from now on revises and submits it.
    /// Not someone who has decided on its current round of approval, which would leave an author's approval standing; the
    /// former author joins <see cref="FormerAuthors"/>, and may no longer approve it either.
    /// </summary>
    public Result HandOver(Actor actor, Actor successor, DateTime now)
    {
        var check = CanHandOver(actor, now);
        if (!check.IsSuccess)
            return check;
        if (successor.IsServiceAccount || !successor.Has(Role.Requestor))
            return ValidationFailed.For("author", $"{successor.Email} is not a requestor: a template's author revises and submits it, " +
                $"which takes the {nameof(Role.Requestor)} role.");
        if (successor.Id == AuthorId)
            return ValidationFailed.For("author", $"{successor.Email} is its author already.");
        if (State == TemplateState.Submitted && CurrentRound.Any(d => d.ApproverId == successor.Id))
            return ValidationFailed.For("author", $"{successor.Email} decided on this round of its approval; its author may not (policy 3.7).");
        if (!FormerAuthors.Contains(AuthorId))
            FormerAuthors.Add(AuthorId);
        AuthorId = successor.Id;
        Version++;
        return Result.Success;
    }

    /// <summary>Whether it makes a Standard change now: published and its approval not expired.</summary>
    public Result CanMakeChanges(DateTime now) => StatusAt(now) switch
    {
        TemplateStatus.Published => Result.Success,
        TemplateStatus.Expired => new TemplateExpired(Name, ExpiresAt!.Value),
        var status => new TemplateNotPublished(Name, status),
    };

    public bool AllowsEnvironment(string environment) => Environments.Contains(environment, StringComparer.OrdinalIgnoreCase);
}

/// <summary>What a template's author writes, everything but its name: checked the same when it is written and when it is revised.</summary>
public sealed record TemplateContent(string? Title, string? Description, IReadOnlyList<Guid> Services, IReadOnlyList<string> Environments,
    string? Purpose, string? Scope, string? ImpactAnalysis, string? RollbackPlan, string? TestPlan, IReadOnlyDictionary<string, string> RiskAnswers)
{
    /// <summary>
    /// The limits of each field. Purpose, scope and the rest may be empty while it is a draft; submitting it asks for them
    /// (<see cref="ChangeTemplate.MissingRequiredFields"/>).
    /// </summary>
    internal void Check(ValidationErrors errors)
    {
        errors.Require("title", Title, ChangeTemplate.TitleMaxLength);
        foreach (var (field, value) in new[] { ("description", Description), ("purpose", Purpose), ("scope", Scope),
                     ("impactAnalysis", ImpactAnalysis), ("rollbackPlan", RollbackPlan), ("testPlan", TestPlan) })
            errors.MaxLength(field, value, ChangeTemplate.TextMaxLength);
        if (Services.Count == 0)
            errors.Add("services", "Name the services its changes touch.");
        else if (Services.Count > ChangeTemplate.MaxServices)
            errors.Add("services", $"At most {ChangeTemplate.MaxServices} services.");
        if (Environments.Count == 0)
            errors.Add("environments", "Name the environments its changes may go to.");
        else if (Environments.Count > ChangeTemplate.MaxEnvironments)
            errors.Add("environments", $"At most {ChangeTemplate.MaxEnvironments} environments.");
    }
}

public sealed record NotTheTemplateAuthor(string Template)
    : DomainError(ErrorKind.Forbidden, "not-the-requestor", "Only the template's author can do this",
        $"Only the requestor who wrote template {Template} can submit or revise it.");

public sealed record NotTheTemplateAuthorNorAdmin(string Template)
    : DomainError(ErrorKind.Forbidden, "not-the-requestor", "Only the template's author or an Admin can do this",
        $"Only the requestor who wrote template {Template}, or an Admin, can hand it over.");

public sealed record TemplateInvalidTransition(string Template, TemplateStatus Status, string Action)
    : DomainError(ErrorKind.Conflict, "invalid-transition", "Not allowed in this state",
        $"Template {Template} is {Status.ToString().ToLowerInvariant()}; it cannot {Action}.");

public sealed record TemplateRiskNotLow(string Template, RiskLevel Risk)
    : DomainError(ErrorKind.Unprocessable, "template-risk-not-low", "A Standard change is low-risk",
        $"Template {Template}'s risk answers assess {Risk}; only Low-risk changes are pre-approved (policy 3.1). Request Normal changes instead.");

/// <summary>The gate's reason and the problem type alike.</summary>
public sealed record TemplateExpired(string Template, DateTime ExpiredAt)
    : DomainError(ErrorKind.Conflict, Code, "The template has expired",
        $"Template {Template}'s approval expired at {ExpiredAt:yyyy-MM-dd HH:mm} UTC; it makes no changes until it is approved again.")
{
    public const string Code = "template-expired";
}

/// <summary>The gate's reason and the problem type alike.</summary>
public sealed record TemplateNotPublished(string Template, TemplateStatus Status)
    : DomainError(ErrorKind.Conflict, Code, "The template is not published",
        $"Template {Template} is {Status.ToString().ToLowerInvariant()}; only a published template makes Standard changes.")
{
    public const string Code = "template-not-published";
}
