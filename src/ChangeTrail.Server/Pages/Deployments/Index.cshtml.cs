using ChangeTrail.Contracts;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Deployments;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Deployments;

/// <summary>What went where, newest first: the same query as GET /api/v1/deployments, with its filters in the URL.</summary>
public sealed class IndexModel(ChangeTrailDbContext db) : ChangeTrailPage
{
    [BindProperty(SupportsGet = true, Name = "service")] public string? Service { get; set; }
    [BindProperty(SupportsGet = true, Name = "environment")] public string? Environment { get; set; }
    [BindProperty(SupportsGet = true, Name = "offset")] public int? Offset { get; set; }
    [BindProperty(SupportsGet = true, Name = "limit")] public int? Limit { get; set; }

    public DeploymentPage? Results { get; private set; }

    public IReadOnlyList<string> Services { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Services = await ListServices.NamesAsync(db, cancellationToken);
        var query = new ListDeployments.Query(Service, Environment, null, Offset ?? 0, Limit ?? ListDeployments.DefaultLimit);
        var result = await ListDeployments.ExecuteAsync(query, db, cancellationToken);
        if (result.IsSuccess)
            Results = result.Value;
        else
            ShowRefusal(result.Error!);
    }

    /// <summary>The same filters, another slice.</summary>
    public string PageLink(int offset)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["service"] = Service,
            ["environment"] = Environment,
            ["offset"] = offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["limit"] = Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return "/deployments" + QueryString.Create(parameters.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
    }
}
