using ChangeTrail.Server.Web;

namespace ChangeTrail.Server.Pages;

/// <summary>The dashboard: what needs the viewer's attention first.</summary>
public sealed class IndexModel : ChangeTrailPage
{
    public void OnGet()
    {
    }
}
