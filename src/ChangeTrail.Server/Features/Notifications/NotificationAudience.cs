using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Templates;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// Who a notification is emailed to: the people named, and everyone holding one of the roles, less those excepted (who
/// may hold such a role, but cannot act on it here: a requestor is never asked to approve their own change). Resolved
/// when queued, to active people with an email address; never to a service account.
/// </summary>
public sealed record NotificationAudience(IReadOnlyList<Role> Roles, IReadOnlyList<Guid> People, IReadOnlyList<Guid> Except)
{
    public static readonly NotificationAudience Nobody = new([], [], []);

    /// <summary>
    /// The audience of each event: who can act on it, or whom it concerns. The one place this is decided.
    /// </summary>
    public static NotificationAudience For(string type, object record) => (type, record) switch
    {
        // Whoever can give an approval still outstanding; never whoever asked for it, nor a change's implementer.
        (WorkflowNotification.ApprovalRequested, ChangeRequest c) =>
            new(RolesFilling(c.Approvals.Outstanding()), [], Persons(c.RequestorId, c.ImplementerId)),
        (WorkflowNotification.ApprovalRequested, PolicyException e) => new([Role.HeadOfEngineering, Role.SecurityOfficer], [], [e.RequestedById]),
        (WorkflowNotification.ApprovalRequested, ChangeTemplate t) => new(RolesFilling(t.RequiredApprovals), [], [t.AuthorId]),
        (WorkflowNotification.ApprovalRequested, PolicyVersion v) => new([Role.HeadOfEngineering, Role.SecurityOfficer], [], [v.ProposedById]),

        (WorkflowNotification.ChangeApproved or WorkflowNotification.ChangeRejected or WorkflowNotification.FreezeCoversChange, ChangeRequest c) =>
            new([], Persons(c.RequestorId, c.ImplementerId), []),
        (WorkflowNotification.EmergencyStarted, ChangeRequest) => new([Role.ChangeApprover, Role.CabMember], [], []),
        (WorkflowNotification.DocumentationDue or WorkflowNotification.DocumentationOverdue, ChangeRequest c) => new([Role.ChangeApprover], Persons(c.RequestorId, c.ImplementerId), []),
        (WorkflowNotification.ReviewDue or WorkflowNotification.ReviewOverdue, ChangeRequest) => new([Role.CabMember], [], []),

        (WorkflowNotification.ExceptionApproved or WorkflowNotification.ExceptionRejected, PolicyException e) => new([], [e.RequestedById], []),
        (WorkflowNotification.ExceptionExpiring, PolicyException e) => new([Role.HeadOfEngineering, Role.SecurityOfficer], [e.RequestedById], []),

        // Its author: only they may submit it for re-approval.
        (WorkflowNotification.TemplatePublished or WorkflowNotification.TemplateExpiring or WorkflowNotification.TemplateHandedOver, ChangeTemplate t) =>
            new([], [t.AuthorId], []),

        (WorkflowNotification.PolicyVersionInForce or WorkflowNotification.PolicyReviewDue or WorkflowNotification.PolicyReviewOverdue, PolicyVersion) =>
            new([Role.HeadOfEngineering, Role.SecurityOfficer], [], []),
        _ => Nobody,
    };

    /// <summary>The roles that can fill any of <paramref name="slots"/> (<see cref="ApprovalSlots.FillableBy"/>, the other way round).</summary>
    public static IReadOnlyList<Role> RolesFilling(IEnumerable<ApprovalSlot> slots) =>
        slots.SelectMany(slot => Enum.GetValues<Role>().Where(role => ApprovalSlots.FillableBy(new HashSet<Role> { role }).Contains(slot)))
            .Distinct().ToList();

    private static Guid[] Persons(Guid person, Guid? other) => other is { } id ? [person, id] : [person];
}
