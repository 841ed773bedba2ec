using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Pages.Admin;

public sealed class AddServiceForm
{
    public string Name { get; set; } = "";
    public string? Repository { get; set; }
    public bool RegulatedData { get; set; }
    public bool SecurityControl { get; set; }

    /// <summary>Comma-separated, as typed: "staging, qa".</summary>
    public string? NonProductionEnvironments { get; set; }

    public string? ProductionEnvironments { get; set; }

    public CreateServiceRequest ToRequest() => new(Name, Repository, RegulatedData, SecurityControl,
        AdminView.SplitList(NonProductionEnvironments).Select(e => new EnvironmentDto(e, false))
            .Concat(AdminView.SplitList(ProductionEnvironments).Select(e => new EnvironmentDto(e, true)))
            .ToList());
}

/// <summary>The services changes are made to, their environments, and the flags that call for Security sign-off.</summary>
[Authorize(Roles = nameof(Role.Admin))]
public sealed class ServicesModel(ChangeTrailDbContext db, Clock clock) : ChangeTrailPage
{
    [BindProperty]
    public AddServiceForm Form { get; set; } = new();

    public IReadOnlyList<ServiceResponse> Services { get; private set; } = [];

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            var result = await CreateService.ExecuteAsync(Form.ToRequest(), Viewer.Id, db, clock, cancellationToken);
            if (result.IsSuccess)
            {
                Notice = $"Service {Form.Name.Trim()} was added.";
                return RedirectToPage();
            }
            ShowRefusal(result.Error!);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Services = (await db.Services.AsNoTracking().OrderBy(s => s.NormalizedName).ToListAsync(cancellationToken))
            .Select(ListServices.ToResponse).ToList();
}
