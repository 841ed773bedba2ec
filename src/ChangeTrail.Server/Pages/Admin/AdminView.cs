using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace ChangeTrail.Server.Pages.Admin;

/// <summary>How the admin pages show instants, roles and tokens; every text goes through the HTML encoder.</summary>
public static class AdminView
{
    /// <summary>A UTC instant as a <c>time</c> element, or a muted word when there is none.</summary>
    public static IHtmlContent Instant(DateTime? value, string none = "never")
    {
        if (value is not { } instant)
        {
            var missing = new TagBuilder("span");
            missing.AddCssClass("muted");
            missing.InnerHtml.Append(none);
            return missing;
        }
        var time = new TagBuilder("time");
        time.Attributes["datetime"] = instant.ToString("yyyy-MM-ddTHH:mm:ssZ");
        time.InnerHtml.Append(instant.ToString("yyyy-MM-dd HH:mm") + " UTC");
        return time;
    }

    /// <summary>["a", "b", "c"] → <c>a</c>, <c>b</c> or <c>c</c>: scope names in a sentence.</summary>
    public static IHtmlContent Codes(IEnumerable<string> names, string conjunction = "or")
    {
        var list = names.ToList();
        var sentence = new HtmlContentBuilder();
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0)
                sentence.Append(i == list.Count - 1 ? $" {conjunction} " : ", ");
            var code = new TagBuilder("code");
            code.InnerHtml.Append(list[i]);
            sentence.AppendHtml(code);
        }
        return sentence;
    }

    /// <summary>
    /// An identity's state as a badge with its word: Deactivated; for a person who has not chosen their own password yet,
    /// Invited or Temporary password; else Active.
    /// </summary>
    public static IHtmlContent StateBadge(UserResponse identity)
    {
        var (state, word) = !identity.Active ? ("Deactivated", "Deactivated")
            : identity.Password == PasswordState.Invited ? ("Invited", "Invited")
            : identity.Password == PasswordState.Temporary ? ("Temporary", "Temporary password")
            : ("Active", "Active");
        var badge = new TagBuilder("span");
        badge.Attributes["class"] = "badge account-" + state;
        badge.InnerHtml.Append(word);
        return badge;
    }

    public static string Roles(IReadOnlyList<Role> roles) => roles.Count == 0 ? "none" : string.Join(", ", roles);

    public static string Kind(UserResponse identity) => IsServiceAccount(identity) ? "Service account" : "Person";

    public static bool IsServiceAccount(UserResponse identity) => identity.Kind == "service-account";

    /// <summary>Usable now: neither revoked nor expired.</summary>
    public static bool IsActive(TokenResponse token, DateTime now) => token.RevokedAt is null && (token.ExpiresAt is null || token.ExpiresAt > now);

    public static int ActiveTokens(UserResponse identity, DateTime now) => identity.Tokens.Count(t => IsActive(t, now));

    public static DateTime? LastTokenUse(UserResponse identity) => identity.Tokens.Max(t => t.LastUsedAt);

    /// <summary>"staging, qa" → ["staging", "qa"]; empty entries are dropped.</summary>
    public static IReadOnlyList<string> SplitList(string? text) =>
        (text ?? "").Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
