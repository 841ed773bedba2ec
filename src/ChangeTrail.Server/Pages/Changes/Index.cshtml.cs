using ChangeTrail.Contracts;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Pages.Changes;

/// <summary>The change list: the same query as GET /api/v1/changes, with its filters in the URL.</summary>
public sealed class IndexModel(ChangeTrailDbContext db, Clock clock) : ChangeTrailPage
{
    [BindProperty(SupportsGet = true, Name = "state")] public string? State { get; set; }
    [BindProperty(SupportsGet = true, Name = "type")] public string? Type { get; set; }
    [BindProperty(SupportsGet = true, Name = "service")] public string? Service { get; set; }
    [BindProperty(SupportsGet = true, Name = "risk")] public string? Risk { get; set; }
    [BindProperty(SupportsGet = true, Name = "q")] public string? Q { get; set; }
    [BindProperty(SupportsGet = true, Name = "flag")] public string? Flag { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int? PageNumber { get; set; }

    public ChangeListQuery Query => new(State, Type, Service, Risk, Q, PageNumber, ListChanges.DefaultPageSize, Flag);

    public PagedResponse<ChangeSummary>? Results { get; private set; }

    public IReadOnlyList<string> Services { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Services = await db.Services.AsNoTracking().OrderBy(s => s.NormalizedName).Select(s => s.Name).ToListAsync(cancellationToken);
        var result = await ListChanges.ExecuteAsync(Query, db, clock.UtcNow, cancellationToken);
        if (result.IsSuccess)
            Results = result.Value;
        else
            ShowRefusal(result.Error!);
    }

    /// <summary>The same filters, another page.</summary>
    public string PageLink(int page)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["state"] = State,
            ["type"] = Type,
            ["service"] = Service,
            ["risk"] = Risk,
            ["q"] = Q,
            ["flag"] = Flag,
            ["page"] = page.ToString(),
        };
        return "/changes" + QueryString.Create(parameters.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
    }
}
