using ChangeTrail.Server.Web;

namespace ChangeTrail.Server.Pages;

/// <summary>What a browser sees for an error status, instead of a blank page.</summary>
public sealed class StatusModel : ChangeTrailPage
{
    public string Title { get; private set; } = "";
    public string Explanation { get; private set; } = "";

    public void OnGet(int code)
    {
        (Title, Explanation) = code switch
        {
            400 => ("Request refused", "The form could not be accepted. If you came from another site or an old tab, reload the page and try again."),
            403 => ("Not allowed", "Your roles do not allow this page."),
            404 => ("Not found", "There is nothing here, or it is not yours to see."),
            _ => ("Something went wrong", $"The server answered {code}."),
        };
    }
}
