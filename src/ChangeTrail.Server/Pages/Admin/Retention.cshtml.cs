using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Retention;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Admin;

public sealed class RetentionForm
{
    /// <summary>Null when the box was left empty: the rule then asks for a number.</summary>
    public int? Months { get; set; }
}

/// <summary>
/// The retention period for change records (policy 3.5: at least 12 months): the period in force, who set it and
/// the cutoff it gives today, and the form that changes it through the same use case as PUT /settings/retention.
/// </summary>
[Authorize(Roles = nameof(Role.Admin))]
public sealed class RetentionModel(ChangeTrailDbContext db, Clock clock) : ChangeTrailPage
{
    [BindProperty]
    public RetentionForm Form { get; set; } = new();

    public RetentionResponse Current { get; private set; } = new(null, null, null, null);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Form.Months = Current.Months;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            var before = await GetRetention.ExecuteAsync(db, clock, cancellationToken);
            var result = await SetRetention.ExecuteAsync(Form.Months, Viewer.Id, db, clock, cancellationToken);
            if (result.IsSuccess)
            {
                var saved = result.Value!;
                Notice = before.Months == saved.Months
                    ? $"Retention was already {saved.Months} months; nothing changed."
                    : $"Retention set to {saved.Months} months: ended changes whose last action is before {Display.Instant(saved.Cutoff)} UTC are purged on the next run.";
                return RedirectToPage();
            }
            ShowRefusal(result.Error!);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Current = await GetRetention.ExecuteAsync(db, clock, cancellationToken);
}
