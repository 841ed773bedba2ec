using System.Net;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The retention admin page (policy 3.5) through a signed-in session and its antiforgery-protected form, checked
/// against the settings API it shares its rule with, and the retention line auditors see on the audit page.
/// </summary>
public abstract class RetentionPageTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Page = "/admin/retention";
    private const string SettingsApi = "/api/v1/settings/retention";

    [Fact]
    public async Task An_admin_sets_24_months_and_the_page_and_the_api_show_it()
    {
        var admin = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);

        var response = await admin.PostFormAsync(Page, Page, ("Form.Months", "24"));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldBe(Page);
        var setting = await App.AsAdmin().GetJsonAsync<RetentionResponse>(SettingsApi);
        setting.Months.ShouldBe(24);
        setting.ChangedBy!.Id.ShouldBe(App.AdminId);
        setting.Cutoff.ShouldBe(Clock.Truncate(App.Time.GetUtcNow().UtcDateTime).AddMonths(-24));

        var html = await admin.GetStringAsync(Page, Ct);
        html.ShouldContain("Retention set to 24 months");
        html.ShouldContain("<dd>24 months</dd>");
        html.ShouldContain("First Admin");
        html.ShouldContain(Display.Instant(setting.Cutoff));
        html.ShouldContain("value=\"24\"", customMessage: "the form starts from the period in force");
        (await admin.GetStringAsync("/audit?action=settings.retention-changed", Ct)).ShouldContain("<code>settings.retention-changed</code>");
    }

    [Fact]
    public async Task Eleven_months_is_refused_beside_the_field_with_the_apis_words_and_nothing_changes()
    {
        var admin = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);
        var before = await App.AsAdmin().GetJsonAsync<RetentionResponse>(SettingsApi);

        var response = await admin.PostFormAsync(Page, Page, ("Form.Months", "11"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync(Ct);
        var problem = await ApiClient.ProblemAsync(
            await App.AsAdmin().SendRawAsync(HttpMethod.Put, SettingsApi, """{"months":11}"""), HttpStatusCode.UnprocessableEntity);
        problem.Type.ShouldBe("/problems/retention-too-short");
        html.ShouldContain("Not done:");
        html.ShouldContain(WebUtility.HtmlEncode(problem.Detail!));
        FieldError(html, "Form.Months").ShouldBe(problem.Errors!["months"].Single());
        html.ShouldContain("value=\"11\"", customMessage: "what was typed is kept");
        (await App.AsAdmin().GetJsonAsync<RetentionResponse>(SettingsApi)).ShouldBe(before);
    }

    [Fact]
    public async Task Someone_without_the_admin_role_is_refused_the_page_and_its_form()
    {
        var email = $"auditor-{Scenario.Unique()}@example.test";
        await App.AddPersonAsync(email, "Ada Auditor", [Role.Auditor], "auditor password 1");
        var auditor = await App.SignInAsync(email, "auditor password 1");
        var before = await App.AsAdmin().GetJsonAsync<RetentionResponse>(SettingsApi);

        ShouldBeDenied(await auditor.GetAsync(Page, Ct));
        // A post with a valid token of the auditor's own session (from the sign-out form on every page).
        ShouldBeDenied(await auditor.PostFormAsync("/audit", Page, ("Form.Months", "13")));

        (await App.AsAdmin().GetJsonAsync<RetentionResponse>(SettingsApi)).ShouldBe(before);
        (await auditor.GetStringAsync("/audit", Ct)).ShouldNotContain($"href=\"{Page}\"");
    }

    [Fact]
    public async Task An_auditor_sees_the_period_and_its_cutoff_on_the_audit_page()
    {
        var email = $"auditor-{Scenario.Unique()}@example.test";
        await App.AddPersonAsync(email, "Aud Itor", [Role.Auditor], "auditor password 1");
        var set = await ApiClient.ReadAsync<RetentionResponse>(
            await App.AsAdmin().SendRawAsync(HttpMethod.Put, SettingsApi, """{"months":36}"""));
        var auditor = await App.SignInAsync(email, "auditor password 1");

        var html = await auditor.GetStringAsync("/audit", Ct);

        html.ShouldContain($"Retention: 36 months (records whose last action is before {Display.Instant(set.Cutoff)} UTC are purged).");
    }

    [Fact]
    public async Task Until_a_period_is_set_both_pages_say_nothing_is_purged()
    {
        await using var fresh = App.Provider == TestProvider.Postgres ? new PostgresApp() : (ChangeTrailApp)new SqliteApp();
        await fresh.InitializeAsync();
        var admin = await fresh.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);

        (await admin.GetStringAsync(Page, Ct)).ShouldContain("Not set: nothing is ever purged.");
        var audit = await admin.GetStringAsync("/audit", Ct);
        audit.ShouldContain("Retention: not set");
        audit.ShouldContain($"href=\"{Page}\"");
    }

    private static void ShouldBeDenied(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Forbidden)
            return;
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe("/denied");
    }

    private static string FieldError(string html, string field) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"""<span class="field-error[^"]*" data-valmsg-for="{Regex.Escape(field)}"[^>]*>([^<]*)</span>""").Groups[1].Value);
}

public sealed class RetentionPageTests_Sqlite(SqliteApp app) : RetentionPageTests(app), IClassFixture<SqliteApp>;

public sealed class RetentionPageTests_Postgres(PostgresApp app) : RetentionPageTests(app), IClassFixture<PostgresApp>;
