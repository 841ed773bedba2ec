using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;

namespace ChangeTrail.Domain.Changes;

/// <summary>
/// A change request (policy 3.2): the aggregate that guards its own lifecycle. Every transition is a
/// method that either changes the state and bumps <see cref="Version"/> (the optimistic-concurrency
/// token), or returns the <see cref="DomainError"/> that refuses it and changes nothing.
/// </summary>
public sealed class ChangeRequest
{
    /// <summary>How long after an emergency change starts its documentation and approval are due (policy 3.6).</summary>
    public static readonly TimeSpan EmergencyDocumentationWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// How long after an emergency starts its post-implementation review is due. Policy 3.6 sets no deadline; a week lets a
    /// CAB that meets weekly review every emergency at its next meeting, and makes a forgotten review visible.
    /// </summary>
    public static readonly TimeSpan EmergencyReviewWindow = TimeSpan.FromDays(7);

    /// <summary>Follow-up actions a review may list, and the length of each.</summary>
    public const int MaxFollowUps = 20;
    public const int FollowUpMaxLength = 2_000;

    /// <summary>An approver's comment. Notes (verification, rollback, review) and a cancellation's reason are long texts (<see cref="ChangeContent.TextMaxLength"/>).</summary>
    public const int CommentMaxLength = 5000;

    private static readonly ChangeState[] EmergencyImplementationStates =
        [ChangeState.Implementing, ChangeState.Implemented, ChangeState.Verified, ChangeState.Failed, ChangeState.RolledBack];

    private readonly List<ChangeEvent> _pendingEvents = [];

    private ChangeRequest() { }

    public Guid Id { get; private set; }
    public long Number { get; private set; }
    public ChangeType Type { get; private set; }
    public ChangeState State { get; private set; }
    public Guid RequestorId { get; private set; }

    public string Title { get; private set; } = "";
    public string? Purpose { get; private set; }
    public string? Scope { get; private set; }
    public string? ImpactAnalysis { get; private set; }
    public string? RollbackPlan { get; private set; }
    public string? TestPlan { get; private set; }
    public string? TestResults { get; private set; }
    public DateTime? PlannedStart { get; private set; }
    public DateTime? PlannedEnd { get; private set; }
    public List<Guid> Services { get; private set; } = [];
    public Dictionary<string, string> RiskAnswers { get; private set; } = [];
    public Guid? ImplementerId { get; private set; }
    public List<CommitRef> Commits { get; private set; } = [];
    public List<string> Links { get; private set; } = [];
    public string? EmergencyJustification { get; private set; }

    /// <summary>The Standard template a Standard change was made from; its content is the template's.</summary>
    public Guid? TemplateId { get; private set; }

    /// <summary>The policy exceptions the change cites (policy 5): each lifts its own control for this change while it is in force.</summary>
    public List<Guid> Exceptions { get; private set; } = [];

    /// <summary>Assessed on every edit, frozen at submit with the questionnaire version.</summary>
    public RiskAssessment Risk { get; private set; } = null!;

    /// <summary>The approvals this change needs, fixed at submit (or at an emergency's start), and the decisions given on it.</summary>
    public ChangeApprovals Approvals { get; } = new();

    public string ContentHash { get; private set; } = "";

    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }
    public DateTime? SubmittedAt { get; private set; }
    public DateTime? ApprovedAt { get; private set; }
    public DateTime? ImplementationStartedAt { get; private set; }
    public DateTime? ImplementedAt { get; private set; }
    public DateTime? VerifiedAt { get; private set; }
    public string? VerificationNotes { get; private set; }

    /// <summary>The evidence file (a smoke test's results) the verification cited, if any.</summary>
    public Guid? VerificationEvidenceId { get; private set; }

    /// <summary>
    /// The pipeline identity (a service account) that first deployed the change to production. A pipeline deploys on
    /// behalf of the implementer, so it may also report how the deployment went and its verification.
    /// </summary>
    public Guid? PipelineId { get; private set; }
    public DateTime? ClosedAt { get; private set; }
    public string? CancellationReason { get; private set; }
    public DateTime? DocumentationDueAt { get; private set; }
    public Guid? ReviewedById { get; private set; }
    public DateTime? ReviewedAt { get; private set; }
    public string? ReviewNotes { get; private set; }

    /// <summary>An emergency's review deadline, set when it starts (<see cref="EmergencyReviewWindow"/>).</summary>
    public DateTime? ReviewDueAt { get; private set; }
    public ReviewOutcome? ReviewOutcome { get; private set; }
    public string? ReviewRootCause { get; private set; }
    public List<string> ReviewFollowUps { get; private set; } = [];

    /// <summary>
    /// When an emergency first had every field policy 3.2 asks for and every approval it needs: its write-up was done then,
    /// on time or late, and stays so in every report.
    /// </summary>
    public DateTime? DocumentedAt { get; private set; }

    /// <summary>The credential the review came with (<c>token:&lt;id&gt;</c> or <c>session:&lt;id&gt;</c>).</summary>
    public string? ReviewCredential { get; private set; }

    /// <summary>The hold keeping the change against retention purges (litigation, an investigation), or null when there is none.</summary>
    public LegalHold? LegalHold { get; private set; }

    /// <summary>Lower-cased number, title and purpose: searched the same way on every database.</summary>
    public string SearchText { get; private set; } = "";

    /// <summary>Bumped by every change to the request or its approvals; compared on save to detect races.</summary>
    public int Version { get; private set; }

    // The database maps the approval bookkeeping through these: the column of required slots, and the Approvals table.
    private List<ApprovalSlot> RequiredApprovals { get => Approvals.RequiredSlots; set => Approvals.RequiredSlots = value; }
    private List<Approval> Decisions => Approvals.DecisionList;

    public string DisplayNumber => $"CR-{Number}";

    public ChangeContent Content => new(Title, Purpose, Scope, ImpactAnalysis, RollbackPlan, TestPlan, TestResults,
        PlannedStart, PlannedEnd, Services, RiskAnswers, ImplementerId, Commits, Links, EmergencyJustification, Exceptions);

    /// <summary>Timeline events raised since the aggregate was loaded; the handler saves them with it.</summary>
    public IReadOnlyList<ChangeEvent> PendingEvents => _pendingEvents;

    /// <summary>Called once the pending events are saved, so a second command on the same instance does not save them again.</summary>
    public void EventsSaved() => _pendingEvents.Clear();

    public static Result<ChangeRequest> Create(Guid id, long number, ChangeType type, ChangeContent content, Actor requestor,
        IReadOnlyList<ServiceProfile> services, RiskQuestionnaire questionnaire, DateTime now)
    {
        if (!requestor.Has(Role.Requestor))
            return new RoleRequired("request a change", [nameof(Role.Requestor)]);
        if (type == ChangeType.Standard)
            return ValidationFailed.For("type", "Standard changes are created from an approved template.");

        var change = new ChangeRequest
        {
            Id = id,
            Number = number,
            Type = type,
            State = ChangeState.Draft,
            RequestorId = requestor.Id,
            CreatedAt = now,
        };
        change.Apply(content, services, questionnaire);
        change.Touch(requestor, "created", null, now);
        return change;
    }

    /// <summary>What a Standard change records as its test results: they are the evidence the gate requires of its commit.</summary>
    public const string StandardTestResults =
        "A Standard change: its test results are the automated suites (unit, integration, security) the gate requires to have passed on its commit.";

    /// <summary>
    /// A Standard change made from a published, unexpired template (policy 3.1): the template's documentation, services and
    /// risk, the planned window and commits given, approved at once because the template was. It is still gated, deployed,
    /// verified and logged like any change, and it is refused inside a freeze as a submission would be. A requestor makes
    /// one, or the gate on an implementer's question naming the template.
    /// </summary>
    public static Result<ChangeRequest> FromTemplate(Guid id, long number, Templates.ChangeTemplate template, DateTime? plannedStart,
        DateTime? plannedEnd, IReadOnlyList<CommitRef> commits, IReadOnlyList<string> links, Guid? implementerId, Actor requestor,
        IReadOnlyList<ServiceProfile> services, RiskQuestionnaire questionnaire, FreezeCalendar freezes, DateTime now)
    {
        if (!requestor.HasAny(Role.Requestor, Role.Implementer))
            return new RoleRequired("make a Standard change", [nameof(Role.Requestor), nameof(Role.Implementer)]);
        var inForce = template.CanMakeChanges(now);
        if (!inForce.IsSuccess)
            return inForce.Error!;
        var content = new ChangeContent(template.Title, template.Purpose, template.Scope, template.ImpactAnalysis, template.RollbackPlan,
            template.TestPlan, StandardTestResults, plannedStart, plannedEnd, template.Services, template.RiskAnswers, implementerId, commits, links,
            null, []);
        var errors = new ValidationErrors();
        content.Validate(errors);
        if (plannedStart is null)
            errors.Add("plannedStart", MissingRequiredFields.FieldMessage);
        if (plannedEnd is null)
            errors.Add("plannedEnd", MissingRequiredFields.FieldMessage);
        if (errors.Any)
            return errors.ToResult().Error!;

        var change = new ChangeRequest
        {
            Id = id,
            Number = number,
            Type = ChangeType.Standard,
            TemplateId = template.Id,
            RequestorId = requestor.Id,
            CreatedAt = now,
        };
        change.Apply(content, services, questionnaire);
        // The change is not saved when refused: its number is not named.
        if (freezes.FirstCovering(change.Services, plannedStart!.Value, plannedEnd!.Value) is { } freeze)
            return new InsideFreeze("The Standard change", freeze);
        change.FreezeRiskAndRequirements(questionnaire);
        change.State = ChangeState.Approved;
        change.SubmittedAt = change.ApprovedAt = now;
        change.Touch(requestor, "created",
            $"Standard change from template {template.Name}, approved {template.ApprovedAt:yyyy-MM-dd} until {template.ExpiresAt:yyyy-MM-dd HH:mm} UTC", now);
        return change;
    }

    /// <summary>Whether <paramref name="actor"/> may edit the change in its current state.</summary>
    public Result CanEdit(Actor actor)
    {
        // Its content is its approved template's: an edit would approve whatever it became.
        if (Type == ChangeType.Standard)
            return new StandardChangeNotEditable(DisplayNumber);
        // The role is checked now, not only when the change was created: a requestor who has since become, say, only an
        // Auditor is read-only like every Auditor.
        if (!actor.Has(Role.Requestor))
            return new RoleRequired("edit a change", [nameof(Role.Requestor)]);
        if (actor.Id != RequestorId)
            return new NotTheRequestor();
        if (State is not (ChangeState.Draft or ChangeState.Submitted or ChangeState.Approved) && !IsEmergencyUnderWay)
            return new InvalidTransition("be edited", State);
        return Result.Success;
    }

    /// <summary>
    /// Edits the content. Approvals are bound to what was approved, so an edit voids them: a Submitted or
    /// Approved change goes back to Draft, an emergency under way stays where it is and needs them anew.
    /// </summary>
    public Result Edit(Actor actor, ChangeType type, ChangeContent content, IReadOnlyList<ServiceProfile> services,
        RiskQuestionnaire questionnaire, DateTime now)
    {
        var check = CanEdit(actor);
        if (!check.IsSuccess)
            return check;
        if (type != Type)
            return ValidationFailed.For("type", "The type of a change request cannot be changed; cancel it and request a new one.");
        content = content.Normalized();
        // Once implementation has started, who implements it is a fact, not a field: changing it would let
        // the person who deployed an emergency approve it afterwards.
        if (ImplementationStartedAt is not null && content.ImplementerId != ImplementerId)
            return ValidationFailed.For("implementer", "The implementer cannot change once implementation has started.");
        if (content.Hash() == ContentHash)
            return Result.Success;

        Apply(content, services, questionnaire);
        var voided = Approvals.VoidApprovals(now);
        if (IsEmergencyUnderWay)
        {
            RequireApprovalsForRisk();
            ApprovedAt = null;
        }
        else if (State != ChangeState.Draft)
        {
            State = ChangeState.Draft;
            SubmittedAt = null;
            ApprovedAt = null;
        }
        Touch(actor, "edited", voided > 0 ? $"{voided} approval(s) voided by the edit" : null, now);
        NoteDocumentedIfComplete(questionnaire, now);
        return Result.Success;
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may submit now: the requestor, a draft, every required field present, and a planned
    /// window outside every freeze of its services — unless the change cites an approved exception to the freeze-window
    /// control that is in force now and until the window ends. An emergency is exempt from freezes: it is the change a freeze
    /// makes room for, and its 24-hour write-up and post-implementation review are its controls (policy 3.6).
    /// </summary>
    public Result CanSubmit(Actor actor, RiskQuestionnaire questionnaire, FreezeCalendar freezes, ExceptionRegister exceptions, DateTime now)
    {
        if (!actor.Has(Role.Requestor))
            return new RoleRequired("submit a change", [nameof(Role.Requestor)]);
        if (actor.Id != RequestorId)
            return new NotTheRequestor();
        if (State != ChangeState.Draft)
            return new InvalidTransition("be submitted", State);
        var missing = Content.MissingRequiredFields(questionnaire);
        if (missing.Count > 0)
            return new MissingRequiredFields(missing);
        if (FreezeOnWindow(freezes, exceptions, now) is ({ } freeze, null))
            return new InsideFreeze(DisplayNumber, freeze);
        return Result.Success;
    }

    /// <summary>Draft → Submitted. Every field policy 3.2 requires must be present; the risk is frozen here.</summary>
    public Result Submit(Actor actor, RiskQuestionnaire questionnaire, FreezeCalendar freezes, ExceptionRegister exceptions, DateTime now)
    {
        var check = CanSubmit(actor, questionnaire, freezes, exceptions, now);
        if (!check.IsSuccess)
            return check;

        FreezeRiskAndRequirements(questionnaire);
        State = ChangeState.Submitted;
        SubmittedAt = now;
        var lifted = FreezeOnWindow(freezes, exceptions, now) is ({ } freeze, { } exception)
            ? $"; {freeze.Describe()} lifted by {exception.Describe()}"
            : "";
        Touch(actor, "submitted", $"Risk {Risk.Overall}; needs {Approvals.Describe()}{lifted}", now);
        // A change that needs no approval (none today outside Standard) is approved on submit.
        CompleteApprovalIfMet(actor, now);
        return Result.Success;
    }

    /// <summary>
    /// The freeze that will shut production to this change in its planned window, if one does: a change submitted, approved or
    /// under way — past the freeze check of its submission — that is no emergency, and cites no exception lifting the freeze.
    /// A freeze defined after the change was submitted is caught here, so its people hear of it before the gate denies them.
    /// </summary>
    public FreezeConflict? FrozenBy(FreezeCalendar freezes, ExceptionRegister exceptions, DateTime now) =>
        State is ChangeState.Submitted or ChangeState.Approved or ChangeState.Implementing
            && FreezeOnWindow(freezes, exceptions, now) is ({ } freeze, null)
            ? freeze
            : null;

    /// <summary>The freeze the planned window falls in, if any, and the cited exception that lifts it, if any.</summary>
    private (FreezeConflict? Freeze, PolicyException? LiftedBy) FreezeOnWindow(FreezeCalendar freezes, ExceptionRegister exceptions, DateTime now)
    {
        if (Type == ChangeType.Emergency || PlannedStart is not { } start || PlannedEnd is not { } end
            || freezes.FirstCovering(Services, start, end) is not { } freeze)
            return (null, null);
        return (freeze, exceptions.Lifting(Exceptions, InsideFreeze.FreezeWindowCode, now, until: end));
    }

    /// <summary>
    /// Whether <paramref name="approver"/> may record <paramref name="decision"/> now, after every
    /// separation-of-duties rule (policy 3.7). The UI asks this to show the button, or the reason instead.
    /// </summary>
    public Result CanDecide(Actor approver, ApprovalDecision decision, RiskQuestionnaire questionnaire, DateTime now) =>
        DecisionFor(approver, decision, null, questionnaire, now).Error is { } error ? error : Result.Success;

    /// <summary>
    /// Records an approver's decision. One rejection ends a submitted change; approvals fill required slots,
    /// one person one slot, and the change is Approved when every slot is filled. An emergency under way
    /// takes its approvals retrospectively.
    /// </summary>
    public Result Decide(Actor approver, ApprovalDecision decision, string? comment, RiskQuestionnaire questionnaire, DateTime now)
    {
        var decided = DecisionFor(approver, decision, comment, questionnaire, now);
        if (!decided.IsSuccess)
            return decided.Error!;
        if (ValidationFailed.TooLong("comment", comment, CommentMaxLength) is { } tooLong)
            return tooLong;

        Approvals.Record(decided.Value!);
        if (decision == ApprovalDecision.Reject)
        {
            // An emergency under way cannot be un-deployed by a vote: it stays where it is, rejected, and must be rolled
            // back and reviewed before it closes (see IsRejectedRetrospectively).
            if (!IsEmergencyUnderWay)
                State = ChangeState.Rejected;
            Touch(approver, "rejected", comment, now);
            NoteDocumentedIfComplete(questionnaire, now);
            return Result.Success;
        }

        Touch(approver, "approved", comment, now);
        CompleteApprovalIfMet(approver, now);
        NoteDocumentedIfComplete(questionnaire, now);
        return Result.Success;
    }

    /// <summary>The approval a decision would add, or the rule that refuses it.</summary>
    private Result<Approval> DecisionFor(Actor approver, ApprovalDecision decision, string? comment, RiskQuestionnaire questionnaire, DateTime now)
    {
        if (State != ChangeState.Submitted && !IsEmergencyUnderWay)
            return new InvalidTransition(decision == ApprovalDecision.Approve ? "be approved" : "be rejected", State);

        var refusal = SeparationOfDutiesRefusal(approver);
        if (refusal is not null)
            return refusal;
        if (IsRejectedRetrospectively)
            return new RejectionStands(DisplayNumber);

        var fillable = ApprovalSlots.FillableBy(approver.Roles);
        if (Approvals.RefuseUnlessFillable(fillable) is { } roleRequired)
            return roleRequired;
        if (Approvals.HasDecided(approver.Id))
            return new AlreadyApproved();
        if (IsEmergencyUnderWay)
        {
            var missing = Content.MissingRequiredFields(questionnaire);
            if (missing.Count > 0)
                return new MissingRequiredFields(missing);
        }

        var approval = new Approval(Id, approver.Id, decision, comment, fillable, ContentHash, now, approver.Credential);
        if (decision == ApprovalDecision.Approve && !Approvals.WouldFillASlot(approval))
            return new ApprovalNotRequired(Approvals.DescribeOutstanding());
        return approval;
    }

    /// <summary>Whether <paramref name="actor"/> may start implementing now.</summary>
    public Result CanStart(Actor actor)
    {
        if (!actor.Has(Role.Implementer))
            return new RoleRequired("implement a change", [nameof(Role.Implementer)]);
        if (ImplementerId is { } implementer && implementer != actor.Id)
            return new NotTheImplementer();
        // Policy 3.7: nobody deploys a change they approved themselves.
        if (Approvals.HasApproved(actor.Id))
            return new ImplementerApprovalForbidden();
        if (Type == ChangeType.Emergency && State == ChangeState.Draft)
        {
            var missing = new List<string>();
            if (string.IsNullOrWhiteSpace(EmergencyJustification))
                missing.Add("emergencyJustification");
            if (Services.Count == 0)
                missing.Add("services");
            return missing.Count > 0 ? new MissingRequiredFields(missing) : Result.Success;
        }
        return State == ChangeState.Approved ? Result.Success : new InvalidTransition("start implementation", State);
    }

    /// <summary>
    /// Approved → Implementing; an emergency goes from Draft straight here with a written justification,
    /// and its documentation and approval fall due 24 hours later.
    /// </summary>
    public Result Start(Actor actor, DateTime now)
    {
        var check = CanStart(actor);
        if (!check.IsSuccess)
            return check;
        if (State == ChangeState.Draft)
        {
            RequireApprovalsForRisk();
            DocumentationDueAt = now + EmergencyDocumentationWindow;
            ReviewDueAt = now + EmergencyReviewWindow;
        }
        ImplementerId = actor.Id;
        State = ChangeState.Implementing;
        ImplementationStartedAt = now;
        Touch(actor, "started", Type == ChangeType.Emergency ? EmergencyJustification : null, now);
        return Result.Success;
    }

    /// <summary>Whether <paramref name="actor"/> may mark the change implemented now.</summary>
    public Result CanComplete(Actor actor) => ImplementerStep(actor, ChangeState.Implementing, "be marked implemented");

    /// <summary>Implementing → Implemented: the deployment is done and awaits verification.</summary>
    public Result Complete(Actor actor, DateTime now)
    {
        var check = CanComplete(actor);
        if (!check.IsSuccess)
            return check;
        State = ChangeState.Implemented;
        ImplementedAt = now;
        Touch(actor, "completed", null, now);
        return Result.Success;
    }

    /// <summary>Whether <paramref name="actor"/> may record the post-deployment verification now.</summary>
    public Result CanVerify(Actor actor) => ImplementerStep(actor, ChangeState.Implemented, "be verified");

    /// <summary>Implemented → Verified or Failed: policy 3.5's post-deployment verification.</summary>
    public Result Verify(Actor actor, VerificationOutcome outcome, string? notes, DateTime now, Guid? evidenceId = null)
    {
        var check = CanVerify(actor);
        if (!check.IsSuccess)
            return check;
        if (ValidationFailed.TooLong("notes", notes, ChangeContent.TextMaxLength) is { } tooLong)
            return tooLong;
        State = outcome == VerificationOutcome.Success ? ChangeState.Verified : ChangeState.Failed;
        VerifiedAt = now;
        VerificationNotes = notes;
        VerificationEvidenceId = evidenceId;
        Touch(actor, outcome == VerificationOutcome.Success ? "verified" : "verification-failed", notes, now);
        return Result.Success;
    }

    /// <summary>
    /// Whether <paramref name="deployer"/> may start deploying the change to production now (the gate answers for the
    /// rest: window, evidence, testing first).
    /// </summary>
    public Result CanStartDeployment(Actor deployer)
    {
        if (State is not (ChangeState.Approved or ChangeState.Implementing))
            return new InvalidTransition("be deployed to production", State);
        return DeployerRefusal(deployer) is { } refusal ? refusal : Result.Success;
    }

    /// <summary>
    /// Why <paramref name="deployer"/> may not deploy this change, whatever its state, or null. A pipeline deploys on anyone's
    /// behalf; a person only as the named implementer, and never a change they approved (policy 3.7). The gate gives the
    /// same answer as a reason before anything is deployed.
    /// </summary>
    public DomainError? DeployerRefusal(Actor deployer)
    {
        if (!deployer.Has(Role.Implementer))
            return new RoleRequired("deploy a change", [nameof(Role.Implementer)]);
        if (deployer.IsServiceAccount)
            return null;
        if (ImplementerId is { } implementer && implementer != deployer.Id)
            return new NotTheImplementer();
        return Approvals.HasApproved(deployer.Id) ? new ImplementerApprovalForbidden() : null;
    }

    /// <summary>
    /// A production deployment of one of the change's services started: an Approved change is now being implemented, by
    /// its named implementer or, when none was named, by whoever deploys it.
    /// </summary>
    public Result DeploymentStarted(Actor deployer, string description, DateTime now)
    {
        var check = CanStartDeployment(deployer);
        if (!check.IsSuccess)
            return check;
        if (State == ChangeState.Approved)
        {
            State = ChangeState.Implementing;
            ImplementationStartedAt = now;
            ImplementerId ??= deployer.Id;
        }
        if (deployer.IsServiceAccount)
            PipelineId ??= deployer.Id;
        Touch(deployer, "deployment-started", description, now);
        return Result.Success;
    }

    /// <summary>
    /// A production deployment ended. When it succeeded and every service of the change is now deployed, the change is
    /// Implemented and awaits its verification; a failed one leaves it being implemented (fix, or roll back and cancel).
    /// </summary>
    public Result DeploymentFinished(Actor deployer, bool succeeded, bool everyServiceDeployed, string description, DateTime now)
    {
        if (State is not (ChangeState.Implementing or ChangeState.Implemented))
            return new InvalidTransition("record a production deployment", State);
        if (succeeded && everyServiceDeployed && State == ChangeState.Implementing)
        {
            State = ChangeState.Implemented;
            ImplementedAt = now;
        }
        Touch(deployer, succeeded ? "deployment-succeeded" : "deployment-failed", description, now);
        return Result.Success;
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may record the rollback now: after a failed verification, or at any point of
    /// an emergency's implementation once it was rejected retrospectively.
    /// </summary>
    public Result CanRollBack(Actor actor) =>
        IsRejectedRetrospectively && State is ChangeState.Implementing or ChangeState.Implemented or ChangeState.Verified
            ? ImplementerStep(actor, State, "be rolled back")
            : ImplementerStep(actor, ChangeState.Failed, "be rolled back");

    /// <summary>Failed (or a rejected emergency under way) → RolledBack: the rollback plan was carried out.</summary>
    public Result RollBack(Actor actor, string? notes, DateTime now)
    {
        var check = CanRollBack(actor);
        if (!check.IsSuccess)
            return check;
        if (ValidationFailed.TooLong("notes", notes, ChangeContent.TextMaxLength) is { } tooLong)
            return tooLong;
        State = ChangeState.RolledBack;
        Touch(actor, "rolled-back", notes, now);
        return Result.Success;
    }

    /// <summary>Whether <paramref name="actor"/> may record the post-implementation review now.</summary>
    public Result CanReview(Actor actor)
    {
        if (Type != ChangeType.Emergency)
            return new InvalidTransition("have a post-implementation review (only emergency changes have one)", State);
        if (actor.IsServiceAccount || !actor.Has(Role.CabMember))
            return new RoleRequired("review an emergency change", [nameof(Role.CabMember)]);
        if (actor.Id == RequestorId || actor.Id == ImplementerId)
            return new ParticipantReviewForbidden();
        if (State is not (ChangeState.Implemented or ChangeState.Verified or ChangeState.Failed or ChangeState.RolledBack) || ReviewedAt is not null)
            return new InvalidTransition("be reviewed", State);
        return Result.Success;
    }

    /// <summary>
    /// Records the CAB's post-implementation review of an emergency change (policy 3.6), by a CAB member who neither requested
    /// nor implemented it: its outcome and root cause, required, and the follow-up actions it calls for.
    /// </summary>
    public Result Review(Actor actor, PostImplementationReview review, DateTime now)
    {
        var check = CanReview(actor);
        if (!check.IsSuccess)
            return check;
        var errors = new ValidationErrors();
        if (review.Outcome is null)
            errors.Add("outcome", "Say whether the emergency change was successful, partiallySuccessful or unsuccessful.");
        errors.Require("rootCause", review.RootCause, ChangeContent.TextMaxLength);
        errors.MaxLength("notes", review.Notes, ChangeContent.TextMaxLength);
        if (review.FollowUps.Count > MaxFollowUps)
            errors.Add("followUps", $"At most {MaxFollowUps} follow-up actions.");
        else
        {
            for (var i = 0; i < review.FollowUps.Count; i++)
                errors.Require($"followUps[{i}]", review.FollowUps[i], FollowUpMaxLength);
        }
        if (errors.Any)
            return errors.ToResult();
        ReviewedById = actor.Id;
        ReviewedAt = now;
        ReviewOutcome = review.Outcome;
        ReviewRootCause = review.RootCause;
        ReviewFollowUps = review.FollowUps.Select(f => f.Trim()).ToList();
        ReviewNotes = review.Notes;
        ReviewCredential = actor.Credential;
        Touch(actor, "reviewed", $"{review.Outcome}: {review.RootCause}", now);
        return Result.Success;
    }

    /// <summary>Whether <paramref name="actor"/> may close the change now.</summary>
    public Result CanClose(Actor actor, RiskQuestionnaire questionnaire)
    {
        if (!actor.HasAny(Role.Requestor, Role.Implementer))
            return new RoleRequired("close a change", [nameof(Role.Requestor), nameof(Role.Implementer)]);
        if (State is not (ChangeState.Verified or ChangeState.RolledBack))
            return new InvalidTransition("be closed", State);
        // Each closes in the role they acted in, held now.
        if (!(actor.Id == RequestorId && actor.Has(Role.Requestor)) && !(actor.Id == ImplementerId && actor.Has(Role.Implementer)))
            return new NotTheRequestor();
        if (Type != ChangeType.Emergency)
            return Result.Success;
        var missing = Content.MissingRequiredFields(questionnaire);
        if (missing.Count > 0)
            return new MissingRequiredFields(missing);
        if (IsRejectedRetrospectively && State != ChangeState.RolledBack)
            return new RollbackRequired(DisplayNumber);
        if (State != ChangeState.RolledBack && !Approvals.AreComplete)
            return new ApprovalsOutstanding(Approvals.DescribeOutstanding());
        return ReviewedAt is null ? new PostImplementationReviewRequired() : Result.Success;
    }

    /// <summary>
    /// Verified or RolledBack → Closed. An emergency also needs its documentation (policy 3.6), its approvals
    /// (unless it was rolled back; a rejected one must have been) and the CAB review.
    /// </summary>
    public Result Close(Actor actor, RiskQuestionnaire questionnaire, DateTime now)
    {
        var check = CanClose(actor, questionnaire);
        if (!check.IsSuccess)
            return check;
        State = ChangeState.Closed;
        ClosedAt = now;
        Touch(actor, "closed", null, now);
        return Result.Success;
    }

    /// <summary>Whether <paramref name="actor"/> may cancel the change now.</summary>
    public Result CanCancel(Actor actor)
    {
        if (!actor.Has(Role.Requestor))
            return new RoleRequired("cancel a change", [nameof(Role.Requestor)]);
        if (actor.Id != RequestorId)
            return new NotTheRequestor();
        return State is ChangeState.Draft or ChangeState.Submitted or ChangeState.Approved
            ? Result.Success
            : new InvalidTransition("be cancelled", State);
    }

    /// <summary>Draft, Submitted or Approved → Cancelled, by the requestor, before anything is deployed.</summary>
    public Result Cancel(Actor actor, string? reason, DateTime now)
    {
        var check = CanCancel(actor);
        if (!check.IsSuccess)
            return check;
        if (ValidationFailed.TooLong("reason", reason, ChangeContent.TextMaxLength) is { } tooLong)
            return tooLong;
        State = ChangeState.Cancelled;
        CancellationReason = reason;
        Touch(actor, "cancelled", reason, now);
        return Result.Success;
    }

    /// <summary>Kept whatever the retention period says, until the hold is released.</summary>
    public bool IsUnderLegalHold => LegalHold is not null;

    /// <summary>Whether <paramref name="actor"/> may place a legal hold now: an Admin or an Auditor, on a change not yet held.</summary>
    public Result CanPlaceLegalHold(Actor actor)
    {
        var check = LegalHold.MayBeSetBy(actor, "place a legal hold");
        if (!check.IsSuccess)
            return check;
        return LegalHold is { } hold ? new AlreadyUnderLegalHold(DisplayNumber, hold.Reason) : Result.Success;
    }

    /// <summary>Holds the change against retention purges, in any state, with the reason on the record and its timeline.</summary>
    public Result PlaceLegalHold(Actor actor, string? reason, DateTime now)
    {
        var check = CanPlaceLegalHold(actor);
        if (!check.IsSuccess)
            return check;
        var placed = LegalHold.Place(actor, reason, now);
        if (!placed.IsSuccess)
            return placed.Error!;
        LegalHold = placed.Value;
        Touch(actor, "legal-hold-placed", LegalHold!.Reason, now);
        return Result.Success;
    }

    /// <summary>Whether <paramref name="actor"/> may release the legal hold now: an Admin or an Auditor, on a held change.</summary>
    public Result CanReleaseLegalHold(Actor actor)
    {
        var check = LegalHold.MayBeSetBy(actor, "release a legal hold");
        if (!check.IsSuccess)
            return check;
        return IsUnderLegalHold ? Result.Success : new NotUnderLegalHold(DisplayNumber);
    }

    /// <summary>
    /// Ends the hold. The release is the change's latest action, so its retention period starts again from now:
    /// a change is never purged the moment its hold ends.
    /// </summary>
    public Result ReleaseLegalHold(Actor actor, DateTime now)
    {
        var check = CanReleaseLegalHold(actor);
        if (!check.IsSuccess)
            return check;
        var reason = LegalHold!.Reason;
        LegalHold = null;
        Touch(actor, "legal-hold-released", reason, now);
        return Result.Success;
    }

    /// <summary>
    /// Policy 3.5: a change record may be purged only once it has ended (closed, rejected or cancelled), its
    /// last action is older than the retention cutoff, and no legal hold is on it.
    /// </summary>
    public Result CanBePurged(DateTime cutoff)
    {
        if (IsUnderLegalHold)
            return new UnderLegalHold(DisplayNumber);
        if (State is not (ChangeState.Closed or ChangeState.Rejected or ChangeState.Cancelled))
            return new InvalidTransition("be purged", State);
        return UpdatedAt < cutoff ? Result.Success : new WithinRetention(DisplayNumber, UpdatedAt);
    }

    /// <summary>An emergency's deadlines at <paramref name="now"/> (policy 3.6): see <see cref="EmergencyFlags.Of"/>.</summary>
    public IReadOnlyList<string> DeadlineFlags(DateTime now) => EmergencyFlags.Of(DocumentationDueAt, DocumentedAt, ReviewDueAt, ReviewedAt, ClosedAt, now);

    /// <summary>
    /// An emergency is overdue when, 24 hours after it started, it is still undocumented or undecided: a field policy 3.2 asks
    /// for is missing, or an approval (a rejection decides it too).
    /// </summary>
    public bool IsDocumentationOverdue(DateTime now) => DeadlineFlags(now).Contains(EmergencyFlags.DocumentationOverdue);

    /// <summary>
    /// An emergency implemented before its approval and then rejected by an approver. One rejection ends its approval as
    /// it ends a Normal change's: no later approval completes it, and it closes only once rolled back and reviewed.
    /// </summary>
    public bool IsRejectedRetrospectively => Type == ChangeType.Emergency && Approvals.HaveRejection;

    private bool IsEmergencyUnderWay => Type == ChangeType.Emergency && EmergencyImplementationStates.Contains(State);

    /// <summary>A step only the implementer takes, in one state: the state is checked first, so the answer says what is possible.</summary>
    private Result ImplementerStep(Actor actor, ChangeState required, string action)
    {
        // As at the start: whoever implements holds the Implementer role, at every step.
        if (!actor.Has(Role.Implementer))
            return new RoleRequired("implement a change", [nameof(Role.Implementer)]);
        if (State != required)
            return new InvalidTransition(action, State);
        return ImplementerId == actor.Id || PipelineId == actor.Id ? Result.Success : new NotTheImplementer();
    }

    private DomainError? SeparationOfDutiesRefusal(Actor approver)
    {
        if (approver.IsServiceAccount)
            return new ServiceAccountCannotApprove();
        if (approver.Id == RequestorId)
            return new SelfApprovalForbidden();
        if (approver.Id == ImplementerId)
            return new ImplementerApprovalForbidden();
        var authored = Commits.FirstOrDefault(c =>
            !string.IsNullOrEmpty(c.AuthorEmail) && string.Equals(c.AuthorEmail, approver.Email, StringComparison.OrdinalIgnoreCase));
        return authored is null ? null : new CommitAuthorApprovalForbidden(authored.Sha);
    }

    /// <summary>
    /// Notes when an emergency under way first has every required field and its approvals decided — all given, or a rejection:
    /// its write-up is done then, on time or late.
    /// </summary>
    private void NoteDocumentedIfComplete(RiskQuestionnaire questionnaire, DateTime now)
    {
        if (Type == ChangeType.Emergency && DocumentationDueAt is not null && DocumentedAt is null &&
            Content.MissingRequiredFields(questionnaire).Count == 0 && (Approvals.AreComplete || IsRejectedRetrospectively))
            DocumentedAt = now;
    }

    private void CompleteApprovalIfMet(Actor actor, DateTime now)
    {
        if (!Approvals.AreComplete)
            return;
        ApprovedAt = now;
        if (State == ChangeState.Submitted)
            State = ChangeState.Approved;
        Touch(actor, "approval-complete", "Every required approval has been given.", now);
    }

    private void FreezeRiskAndRequirements(RiskQuestionnaire questionnaire)
    {
        Risk = questionnaire.Assess(RiskAnswers, Risk.TouchesRegulatedDataOrSecurityControl);
        RequireApprovalsForRisk();
    }

    private void RequireApprovalsForRisk() =>
        Approvals.Require(ApprovalPolicy.RequirementsFor(Type, Risk.Overall, Risk.TouchesRegulatedDataOrSecurityControl));

    private void Apply(ChangeContent content, IReadOnlyList<ServiceProfile> services, RiskQuestionnaire questionnaire)
    {
        content = content.Normalized();
        Title = content.Title;
        Purpose = content.Purpose;
        Scope = content.Scope;
        ImpactAnalysis = content.ImpactAnalysis;
        RollbackPlan = content.RollbackPlan;
        TestPlan = content.TestPlan;
        TestResults = content.TestResults;
        PlannedStart = content.PlannedStart;
        PlannedEnd = content.PlannedEnd;
        Services = content.Services.ToList();
        RiskAnswers = new Dictionary<string, string>(content.RiskAnswers, StringComparer.Ordinal);
        ImplementerId = content.ImplementerId;
        Commits = content.Commits.ToList();
        Links = content.Links.ToList();
        EmergencyJustification = content.EmergencyJustification;
        Exceptions = content.Exceptions.ToList();
        Risk = questionnaire.Assess(RiskAnswers, services.Any(s => s.NeedsSecuritySignOff));
        ContentHash = Content.Hash();
        SearchText = $"{DisplayNumber} {Title} {Purpose}".ToLowerInvariant();
    }

    private void Touch(Actor actor, string action, string? detail, DateTime now)
    {
        Version++;
        UpdatedAt = now;
        _pendingEvents.Add(new ChangeEvent(Id, Version, actor.Id, action, detail, now));
    }
}
