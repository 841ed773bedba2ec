using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features;
using ChangeTrail.Server.Features.Policy;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Policy;

/// <summary>
/// One version of the policy: its text rendered and its Markdown, what changed, the two sign-offs it needs and who gave each,
/// the decisions, and — for those the version's own rule and the endpoint's policy both allow — the Approve and Reject
/// buttons, taken through the same use case and authorization as the API.
/// </summary>
public sealed class VersionModel(ChangeTrailDbContext db, Clock clock, RecordCommand command, IAuthorizationService authorization)
    : ChangeTrailPage
{
    /// <summary>The form's fields, by the keys their errors are shown under; any other error is listed at the top.</summary>
    public static readonly string[] FormKeys = ["Comment"];

    [FromRoute]
    public string Number { get; set; } = "";

    /// <summary>The decision's comment, kept when the decision is refused.</summary>
    [BindProperty]
    public string? Comment { get; set; }

    public PolicyVersionResponse Version { get; private set; } = null!;

    public bool CanApprove { get; private set; }

    public bool CanReject { get; private set; }

    /// <summary>Why the viewer cannot approve, in words; null when they can, or when no decision is being collected.</summary>
    public string? DecisionReason { get; private set; }

    public int SignOffsGiven => Version.RequiredSignOffs.Count(s => s.FilledBy is not null);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostDecideAsync(ApprovalDecision? decision, CancellationToken cancellationToken)
    {
        // The endpoint's own policy: a decision needs the person's own credential here as over the API.
        var allowed = await authorization.AuthorizeAsync(User, DecidePolicyVersion.Access);
        var result = allowed.Succeeded
            ? await DecidePolicyVersion.ExecuteAsync(Number, decision, Comment, Viewer, command, db, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            var version = result.Value!;
            Notice = version.State switch
            {
                PolicyVersionState.InForce => $"Policy {version.Number} is approved and in force from now on; the version in force before it, if any, " +
                                              "is superseded. Its next review is due in 12 months.",
                PolicyVersionState.Rejected => $"Policy {version.Number} is rejected: it never comes into force.",
                _ => $"Your approval of policy {version.Number} is recorded; it still awaits " +
                     $"{string.Join(" and ", version.RequiredSignOffs.Where(s => s.FilledBy is null).Select(s => s.Description))}.",
            };
            return Redirect($"/policy/versions/{version.Number}");
        }
        db.ChangeTracker.Clear();
        if (!await LoadAsync(cancellationToken))
            return NotFound();
        ShowRefusal(result.Error!, modelPrefix: "");
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (await GetPolicy.VersionAsync(Number, db, cancellationToken) is not { } found)
            return false;
        var (version, view) = found;
        Version = view;
        var now = clock.UtcNow;
        var viewer = Viewer;

        var approve = version.CanDecide(viewer, ApprovalDecision.Approve, now);
        var reject = version.CanDecide(viewer, ApprovalDecision.Reject, now);
        var access = await authorization.AuthorizeAsync(User, DecidePolicyVersion.Access);
        CanApprove = approve.IsSuccess && access.Succeeded;
        CanReject = reject.IsSuccess && access.Succeeded;
        // Once it is in force, superseded or rejected nobody decides any more: the state says so, no reason is needed.
        var collecting = approve.Error is not PolicyVersionNotProposed;
        DecisionReason = CanApprove || !collecting ? null
            : approve.Error?.Detail ?? EndpointAuthorization.RefusalOf(access.Failure).Detail;
        return true;
    }
}
