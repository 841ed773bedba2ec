using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features;
using ChangeTrail.Server.Features.PolicyExceptions;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Pages.Exceptions;

/// <summary>
/// One policy exception: every field, the two sign-offs it needs and who gave each, the decisions, the changes citing it,
/// and what the viewer may do next — decide or revoke, asked of the exception's own Can* rules and taken through the same
/// use cases and authorization as the API.
/// </summary>
public sealed class DetailModel(ChangeTrailDbContext db, Clock clock, RecordCommand command, IAuthorizationService authorization)
    : ChangeTrailPage
{
    /// <summary>The forms' fields, by the keys their errors are shown under; any other error is listed at the top.</summary>
    public static readonly string[] FormKeys = ["Comment", "Reason"];

    [FromRoute]
    public string IdOrNumber { get; set; } = "";

    /// <summary>The decision's comment, kept when the decision is refused.</summary>
    [BindProperty]
    public string? Comment { get; set; }

    /// <summary>The revocation's reason, kept when the revocation is refused.</summary>
    [BindProperty]
    public string? Reason { get; set; }

    public PolicyExceptionResponse Exception { get; private set; } = null!;

    public bool CanApprove { get; private set; }

    public bool CanReject { get; private set; }

    /// <summary>Why the viewer cannot approve, in words; null when they can, or when no decision is being collected.</summary>
    public string? DecisionReason { get; private set; }

    public bool CanRevoke { get; private set; }

    public int SignOffsGiven => Exception.RequiredSignOffs.Count(s => s.FilledBy is not null);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostDecideAsync(ApprovalDecision? decision, CancellationToken cancellationToken)
    {
        // The endpoint's own policy: a decision needs the person's own credential here as over the API.
        var allowed = await authorization.AuthorizeAsync(User, DecidePolicyException.Access);
        var result = allowed.Succeeded
            ? await DecidePolicyException.ExecuteAsync(IdOrNumber, decision, Comment, Viewer, command, db, clock, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            var exception = result.Value!;
            Notice = exception.Status switch
            {
                PolicyExceptionStatus.Approved => $"{exception.Number} is approved: it lifts {exception.PolicyClause.Key} for the changes citing it " +
                                                  $"until {Display.Instant(exception.ExpiresAt)} UTC.",
                PolicyExceptionStatus.Rejected => $"{exception.Number} is rejected: it lifts nothing.",
                _ => $"Your approval of {exception.Number} is recorded; it still awaits " +
                     $"{string.Join(" and ", exception.RequiredSignOffs.Where(s => s.FilledBy is null).Select(s => s.Description))}.",
            };
            return Redirect($"/exceptions/{exception.Number}");
        }
        return await RefusedAsync(result.Error!, cancellationToken);
    }

    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, RevokePolicyException.Access);
        var result = allowed.Succeeded
            ? await RevokePolicyException.ExecuteAsync(IdOrNumber, Reason, Viewer, command, db, clock, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            Notice = $"{result.Value!.Number} is revoked: from now on it lifts nothing. Its record is kept.";
            return Redirect($"/exceptions/{result.Value.Number}");
        }
        return await RefusedAsync(result.Error!, cancellationToken);
    }

    private async Task<IActionResult> RefusedAsync(DomainError error, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        if (!await LoadAsync(cancellationToken))
            return NotFound();
        ShowRefusal(error, modelPrefix: "");
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var exception = await ListPolicyExceptions.FindAsync(db.PolicyExceptions.AsNoTracking(), IdOrNumber, cancellationToken);
        if (exception is null)
            return false;
        var now = clock.UtcNow;
        Exception = (await PolicyExceptionView.BuildAsync([exception], db, now, cancellationToken))[0];
        var viewer = Viewer;

        var approve = exception.CanDecide(viewer, ApprovalDecision.Approve, now);
        var reject = exception.CanDecide(viewer, ApprovalDecision.Reject, now);
        CanApprove = approve.IsSuccess;
        CanReject = reject.IsSuccess;
        // Once it is decided, revoked or expired nobody decides any more: the status says so, no reason is needed.
        var collecting = approve.Error is not (ExceptionNotAwaitingDecision or ExceptionExpired);
        DecisionReason = CanApprove || !collecting ? null : approve.Error!.Detail;
        CanRevoke = exception.CanRevoke(viewer, now).IsSuccess;
        return true;
    }
}
