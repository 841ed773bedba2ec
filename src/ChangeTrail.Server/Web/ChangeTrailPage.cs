using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Server.Auth;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ChangeTrail.Server.Web;

/// <summary>What every page of the UI needs: who is looking, and how to show a rule's refusal in words.</summary>
public abstract class ChangeTrailPage : PageModel
{
    public Actor Viewer => User.ToActor();

    public bool ViewerHas(params Role[] roles) => User.Identity?.IsAuthenticated == true && Viewer.HasAny(roles);

    /// <summary>
    /// A message for the next page the browser sees (after a redirect), shown once. Read from TempData
    /// on each render rather than bound, so a message is never carried past the page that shows it.
    /// </summary>
    public string? Notice
    {
        get => TempData.Peek(NoticeKey) as string;
        set => TempData[NoticeKey] = value;
    }

    private const string NoticeKey = "notice";

    /// <summary>Takes the notice for display: shown once, then gone.</summary>
    public string? TakeNotice() => TempData[NoticeKey] as string;

    public string? Refusal { get; private set; }

    /// <summary>The fields the last refusal named, by their API names ("rollbackPlan", "riskAnswers.downtime").</summary>
    public IReadOnlyList<string> RefusalFields { get; private set; } = [];

    /// <summary>
    /// Shows a rule's refusal: field errors next to their fields (keyed by the API's JSON path, prefixed
    /// with the form's model name), and the explanation at the top of the page.
    /// </summary>
    protected void ShowRefusal(DomainError error, string modelPrefix = "Form")
    {
        // Field errors are listed in words beside the fields; the headline says what kind of refusal it is.
        Refusal = error is ValidationFailed or Domain.Changes.MissingRequiredFields ? error.Title + "." : $"{error.Title}. {error.Detail}";
        var fields = (error as IFieldErrors)?.FieldErrors;
        RefusalFields = fields?.Keys.ToList() ?? [];
        foreach (var (field, messages) in fields ?? new Dictionary<string, string[]>())
        {
            foreach (var message in messages)
                ModelState.AddModelError(FormKey(modelPrefix, field), message);
        }
    }

    /// <summary>
    /// "riskAnswers.downtime" → "Form.RiskAnswers[downtime]"; "services[0]" → "Form.Services"; "rollbackPlan" →
    /// "Form.RollbackPlan"; with no prefix (a page binding its properties directly), "newPassword" → "NewPassword".
    /// </summary>
    public static string FormKey(string prefix, string field)
    {
        var dot = field.IndexOf('.', StringComparison.Ordinal);
        var owner = prefix.Length == 0 ? "" : prefix + ".";
        if (field.StartsWith("riskAnswers.", StringComparison.Ordinal))
            return $"{owner}RiskAnswers[{field[(dot + 1)..]}]";
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        var name = bracket > 0 ? field[..bracket] : dot > 0 ? field[..dot] : field;
        return $"{owner}{char.ToUpperInvariant(name[0])}{name[1..]}";
    }

    /// <summary>Shows a message at the top of the page without a rule behind it (sign-in failures).</summary>
    protected void ShowMessage(string message) => Refusal = message;
}
