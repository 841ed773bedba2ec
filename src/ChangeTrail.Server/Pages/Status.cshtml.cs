using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages;

/// <summary>
/// What a browser sees for an error status, instead of a blank page. Status pages re-execute with the
/// original method, so a refused POST (a forged form) lands here as a POST too.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class StatusModel : ChangeTrailPage
{
    public void OnPost(int code) => OnGet(code);

    public string Title { get; private set; } = "";
    public string Explanation { get; private set; } = "";

    public void OnGet(int code)
    {
        (Title, Explanation) = code switch
        {
            400 => ("Request refused", "The form could not be accepted. If you came from another site or an old tab, reload the page and try again."),
            403 => ("Not allowed", "Your roles do not allow this page."),
            404 => ("Not found", "There is nothing here, or it is not yours to see."),
            413 => ("Too large", "The form is larger than the server accepts. Shorten the longest fields and try again."),
            429 => ("Too many attempts", "Too many attempts from your address in a short time. Wait a minute, then try again."),
            _ => ("Something went wrong", $"The server answered {code}."),
        };
    }
}
