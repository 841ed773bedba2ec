using System.Globalization;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Dashboard;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;

namespace ChangeTrail.Server.Pages;

/// <summary>The dashboard: what needs the viewer's attention first.</summary>
public sealed class IndexModel(ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire) : ChangeTrailPage
{
    public DashboardView Dashboard { get; private set; } = null!;

    public WeeklyChart Chart { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Dashboard = await GetDashboard.ExecuteAsync(Viewer, db, clock, questionnaire, cancellationToken);
        Chart = new WeeklyChart(Dashboard.Weeks);
    }

    /// <summary>The machine-readable instant of a &lt;time&gt; element.</summary>
    public static string Iso(DateTime instant) => instant.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
