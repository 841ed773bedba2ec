using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Domain.PolicyExceptions;

public enum PolicyExceptionState
{
    /// <summary>Asked for; awaiting the Head of Engineering's and the Security Officer's sign-offs.</summary>
    Requested,
    /// <summary>Both signed off: in force until it expires or is revoked.</summary>
    Approved,
    /// <summary>One of them refused it.</summary>
    Rejected,
    /// <summary>Withdrawn by its requestor, or ended early by a Head of Engineering, Security Officer or Admin.</summary>
    Revoked,
}

/// <summary>What an exception is at a moment: its state, with an approved or requested one past its expiry shown as expired.</summary>
public enum PolicyExceptionStatus
{
    Requested,
    Approved,
    Rejected,
    Revoked,
    Expired,
}

/// <summary>
/// A documented, risk-assessed deviation from one control of the policy (policy 5): what is set aside, why it is acceptable,
/// what compensates, and until when. It takes effect once a Head of Engineering and a Security Officer — two distinct people,
/// neither the requestor — approve it, and ends on its own at its expiry. A change that cites it has exactly that control
/// lifted (<see cref="WaivableControl"/>), at submit and at the gate, and the decision says so.
/// </summary>
public sealed class PolicyException
{
    public const int TitleMaxLength = ChangeContent.TitleMaxLength;
    public const int TextMaxLength = ChangeContent.TextMaxLength;

    /// <summary>An exception is temporary by nature: at most a year, so the annual policy review (policy 6) sees every one again.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);

    private PolicyException() { }

    public Guid Id { get; private set; }
    public long Number { get; private set; }
    public string Title { get; private set; } = "";

    /// <summary>The key of the <see cref="WaivableControl"/> deviated from.</summary>
    public string PolicyClause { get; private set; } = "";
    public string Description { get; private set; } = "";
    public string RiskAssessment { get; private set; } = "";
    public string CompensatingControls { get; private set; } = "";
    public DateTime ExpiresAt { get; private set; }
    public Guid RequestedById { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public PolicyExceptionState State { get; private set; }

    /// <summary>When the last sign-off approved it, or the rejection ended it.</summary>
    public DateTime? DecidedAt { get; private set; }
    public Guid? RevokedById { get; private set; }
    public DateTime? RevokedAt { get; private set; }
    public string? RevocationReason { get; private set; }
    public List<SignOffDecision> Decisions { get; private set; } = [];

    /// <summary>Optimistic concurrency: two sign-offs arriving together are both recorded, one after the other.</summary>
    public int Version { get; private set; }

    public string DisplayNumber => $"EX-{Number}";

    public WaivableControl Control => WaivableControl.Find(PolicyClause)
                                      ?? throw new InvalidOperationException($"{DisplayNumber} names an unknown control '{PolicyClause}'.");

    /// <summary>Asks for an exception. Every field is required: an undocumented deviation is what policy 5 forbids.</summary>
    public static Result<PolicyException> Request(Guid id, long number, string? title, string? policyClause, string? description,
        string? riskAssessment, string? compensatingControls, DateTime? expiresAt, Actor requestor, DateTime now)
    {
        if (requestor.IsServiceAccount || !requestor.Has(Role.Requestor))
            return new RoleRequired("ask for a policy exception", [nameof(Role.Requestor)]);
        var errors = new ValidationErrors();
        errors.Require("title", title, TitleMaxLength);
        if (string.IsNullOrWhiteSpace(policyClause))
            errors.Add("policyClause", $"Name the control deviated from: one of {KnownControls}.");
        else if (WaivableControl.Find(policyClause) is null)
            errors.Add("policyClause", $"'{policyClause}' is not a control an exception can waive; one of {KnownControls}. " +
                                       "Approval, separation of duties and least privilege are never waived.");
        errors.Require("description", description, TextMaxLength);
        errors.Require("riskAssessment", riskAssessment, TextMaxLength);
        errors.Require("compensatingControls", compensatingControls, TextMaxLength);
        if (expiresAt is not { } expiry)
            errors.Add("expiresAt", "Say when the exception ends; none is open-ended.");
        else if (expiry <= now)
            errors.Add("expiresAt", "The expiry must be in the future.");
        else if (expiry - now > MaxLifetime)
            errors.Add("expiresAt", $"An exception lasts at most {MaxLifetime.TotalDays:0} days; ask again when it ends.");
        if (errors.Any)
            return errors.ToResult().Error!;

        return new PolicyException
        {
            Id = id,
            Number = number,
            Title = title!.Trim(),
            PolicyClause = policyClause!,
            Description = description!,
            RiskAssessment = riskAssessment!,
            CompensatingControls = compensatingControls!,
            ExpiresAt = Microseconds(expiresAt!.Value),
            RequestedById = requestor.Id,
            CreatedAt = now,
            State = PolicyExceptionState.Requested,
        };
    }

    private static string KnownControls => string.Join(", ", WaivableControl.All.Select(c => c.Key));

    // Both databases keep microseconds: an instant that round-trips compares equal to the one given.
    private static DateTime Microseconds(DateTime value) => new(value.Ticks - value.Ticks % 10, DateTimeKind.Utc);

    /// <summary>Whether it lifts its control at <paramref name="at"/>: approved, not revoked, and not yet expired.</summary>
    public bool IsInForceAt(DateTime at) => State == PolicyExceptionState.Approved && at < ExpiresAt;

    public PolicyExceptionStatus StatusAt(DateTime now) => State switch
    {
        PolicyExceptionState.Requested or PolicyExceptionState.Approved when now >= ExpiresAt => PolicyExceptionStatus.Expired,
        PolicyExceptionState.Requested => PolicyExceptionStatus.Requested,
        PolicyExceptionState.Approved => PolicyExceptionStatus.Approved,
        PolicyExceptionState.Rejected => PolicyExceptionStatus.Rejected,
        _ => PolicyExceptionStatus.Revoked,
    };

    /// <summary>The sign-offs still awaited.</summary>
    public IReadOnlyList<PolicySignOff> OutstandingSignOffs() =>
        State == PolicyExceptionState.Requested ? PolicySignOffs.Outstanding(Decisions) : [];

    /// <summary>Whether <paramref name="approver"/> may record <paramref name="decision"/> now; the UI asks it to show the buttons.</summary>
    public Result CanDecide(Actor approver, ApprovalDecision decision, DateTime now) =>
        DecisionFor(approver, decision, null, now).Error is { } error ? error : Result.Success;

    /// <summary>
    /// Records a sign-off. One rejection ends the request; it is approved, and in force, when the Head of Engineering's and
    /// the Security Officer's sign-offs are both given by two distinct people.
    /// </summary>
    public Result Decide(Actor approver, ApprovalDecision decision, string? comment, DateTime now)
    {
        var decided = DecisionFor(approver, decision, comment, now);
        if (!decided.IsSuccess)
            return decided.Error!;
        Decisions.Add(decided.Value!);
        if (decision == ApprovalDecision.Reject)
        {
            State = PolicyExceptionState.Rejected;
            DecidedAt = now;
        }
        else if (PolicySignOffs.Outstanding(Decisions).Count == 0)
        {
            State = PolicyExceptionState.Approved;
            DecidedAt = now;
        }
        Version++;
        return Result.Success;
    }

    private Result<SignOffDecision> DecisionFor(Actor approver, ApprovalDecision decision, string? comment, DateTime now)
    {
        if (State != PolicyExceptionState.Requested)
            return new ExceptionNotAwaitingDecision(DisplayNumber, StatusAt(now));
        // A sign-off after the expiry would approve nothing: the deviation was never allowed.
        if (now >= ExpiresAt)
            return new ExceptionExpired(DisplayNumber, ExpiresAt);
        return PolicySignOffs.DecisionFor(approver, decision, comment, RequestedById, Decisions, DisplayNumber, "policy 5", now);
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may end the exception now: its requestor withdraws it while it awaits its sign-offs; a Head
    /// of Engineering, Security Officer or Admin ends it, requested or in force, before it expires on its own.
    /// </summary>
    public Result CanRevoke(Actor actor, DateTime now)
    {
        var status = StatusAt(now);
        if (status is not (PolicyExceptionStatus.Requested or PolicyExceptionStatus.Approved))
            return new ExceptionNotAwaitingDecision(DisplayNumber, status, "be revoked");
        var withdrawing = actor.Id == RequestedById && status == PolicyExceptionStatus.Requested;
        if (!withdrawing && !actor.HasAny(Role.HeadOfEngineering, Role.SecurityOfficer, Role.Admin))
            return new RoleRequired($"revoke {DisplayNumber}",
                [nameof(Role.HeadOfEngineering), nameof(Role.SecurityOfficer), nameof(Role.Admin)]);
        return Result.Success;
    }

    public Result Revoke(Actor actor, string? reason, DateTime now)
    {
        var check = CanRevoke(actor, now);
        if (!check.IsSuccess)
            return check;
        if (ValidationFailed.Required("reason", reason, TextMaxLength) is { } missing)
            return missing;
        State = PolicyExceptionState.Revoked;
        RevokedById = actor.Id;
        RevokedAt = now;
        RevocationReason = reason;
        Version++;
        return Result.Success;
    }

    /// <summary>"EX-3 (policy 3.5, freeze-window), in force until 2026-12-31 00:00 UTC".</summary>
    public string Describe() => $"{DisplayNumber} ({Control.Describe()}), in force until {ExpiresAt:yyyy-MM-dd HH:mm} UTC";
}

public sealed record ExceptionNotAwaitingDecision(string Exception, PolicyExceptionStatus Status, string Action = "be decided on")
    : DomainError(ErrorKind.Conflict, "invalid-transition", "Not allowed in this state",
        $"{Exception} is {Status.ToString().ToLowerInvariant()}; it cannot {Action}.");

public sealed record ExceptionExpired(string Exception, DateTime ExpiresAt)
    : DomainError(ErrorKind.Conflict, "exception-expired", "The exception has expired",
        $"{Exception} expired at {ExpiresAt:yyyy-MM-dd HH:mm} UTC; ask for a new one.");
