using ChangeTrail.Contracts;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Features.PolicyExceptions;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Exceptions;

/// <summary>The request form as a browser posts it: the expiry in UTC from a datetime-local box, the control by its key.</summary>
public sealed class ExceptionForm
{
    public string? Title { get; set; }
    public string? PolicyClause { get; set; }
    public string? Description { get; set; }
    public string? RiskAssessment { get; set; }
    public string? CompensatingControls { get; set; }
    public DateTime? ExpiresAt { get; set; }

    /// <summary>The API's request, so the form goes through the same use case and rules as POST /exceptions.</summary>
    public PolicyExceptionRequest ToRequest() =>
        new(Title, string.IsNullOrWhiteSpace(PolicyClause) ? null : PolicyClause, Description, RiskAssessment, CompensatingControls,
            Clock.AsUtc(ExpiresAt));
}

/// <summary>
/// The exception register (policy 5): every documented deviation from the policy, its status now (an approved one past its
/// expiry shows as expired), and the form a requestor asks for a new one with, through the same use case as the API.
/// </summary>
public sealed class IndexModel(ChangeTrailDbContext db, Clock clock, IAuthorizationService authorization, Notifier notifier) : ChangeTrailPage
{
    /// <summary>The form's fields, by the keys their errors are shown under; any other error is listed at the top.</summary>
    public static readonly string[] FormKeys =
        ["Form.Title", "Form.PolicyClause", "Form.Description", "Form.RiskAssessment", "Form.CompensatingControls", "Form.ExpiresAt", "Status"];

    [BindProperty(SupportsGet = true, Name = "status")] public string? Status { get; set; }

    [BindProperty]
    public ExceptionForm Form { get; set; } = new();

    public IReadOnlyList<PolicyExceptionResponse> Exceptions { get; private set; } = [];

    /// <summary>Whether the register could be read with the filter asked for (a status that names none is refused).</summary>
    public bool Listed { get; private set; }

    public bool CanRequest { get; private set; }

    public static IReadOnlyList<WaivableControl> Controls => WaivableControl.All;

    /// <summary>The longest an exception may last, for the expiry's hint.</summary>
    public static int MaxLifetimeDays => (int)PolicyException.MaxLifetime.TotalDays;

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostRequestAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, RequestPolicyException.Access);
        if (!allowed.Succeeded)
            ShowRefusal(EndpointAuthorization.RefusalOf(allowed.Failure));
        else if (ModelState.IsValid)
        {
            var result = await RequestPolicyException.ExecuteAsync(Form.ToRequest(), Viewer, db, notifier, clock.UtcNow, cancellationToken);
            if (result.IsSuccess)
            {
                var exception = result.Value!;
                Notice = $"{exception.Number} was requested. It lifts nothing until a Head of Engineering and a Security Officer approve it.";
                return Redirect($"/exceptions/{exception.Number}");
            }
            ShowRefusal(result.Error!);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        CanRequest = (await authorization.AuthorizeAsync(User, RequestPolicyException.Access)).Succeeded;
        var result = await ListPolicyExceptions.ExecuteAsync(Status, db, clock.UtcNow, cancellationToken);
        Listed = result.IsSuccess;
        if (result.IsSuccess)
            Exceptions = result.Value!;
        else if (Refusal is null)
            ShowRefusal(result.Error!, modelPrefix: "");
    }

    /// <summary>The filter's options: each status by the word the API takes.</summary>
    public static IEnumerable<string> Statuses => Enum.GetNames<PolicyExceptionStatus>();

    public bool IsStatus(string status) => string.Equals(Status, status, StringComparison.OrdinalIgnoreCase);
}
