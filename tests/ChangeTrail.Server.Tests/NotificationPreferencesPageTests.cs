using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// My notifications (/account/notifications) through the real pipeline with a signed-in browser's cookies: every event with
/// its Email checkbox, saving through the same use case as PUT /users/me/notifications, antiforgery, and sign-in required.
/// </summary>
public abstract class NotificationPreferencesPageTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Page = "/account/notifications";

    private static async Task<Dictionary<string, bool>> EmailedAsync(Person person) =>
        (await person.Client.GetJsonAsync<NotificationPreferencesResponse>("/api/v1/users/me/notifications")).Events.ToDictionary(e => e.Type, e => e.Email);

    /// <summary>The event types whose Email checkbox is ticked on the page.</summary>
    private static List<string> Checked(string html) =>
        Regex.Matches(html, "<input [^>]*name=\"Email\"[^>]*>").Where(m => m.Value.Contains("checked", StringComparison.Ordinal))
            .Select(m => Regex.Match(m.Value, "value=\"([^\"]+)\"").Groups[1].Value).ToList();

    private static int Checkboxes(string html) => Regex.Count(html, "<input [^>]*name=\"Email\"");

    [Fact]
    public async Task The_page_lists_every_event_with_its_description_all_emailed_by_default_and_says_the_server_sends_no_email()
    {
        var (_, browser) = await S.SignedInAsync(Role.Requestor);

        var html = await browser.GetStringAsync(Page, Ct);

        Checkboxes(html).ShouldBe(WorkflowNotification.All.Count);
        Checked(html).ShouldBe(WorkflowNotification.All, ignoreOrder: true);
        foreach (var type in WorkflowNotification.All)
            html.ShouldContain(HtmlEncoder.Default.Encode(WorkflowNotification.Descriptions[type]), Case.Sensitive, type);
        html.ShouldContain("This server sends no email; your choices apply once it does.");
        html.ShouldContain($"<a href=\"{Page}\"");
    }

    [Fact]
    public async Task Unticking_an_event_and_saving_turns_its_email_off_and_says_so()
    {
        var (person, browser) = await S.SignedInAsync(Role.Requestor);
        var kept = WorkflowNotification.All.Where(t => t != WorkflowNotification.ChangeApproved).Select(t => ("Email", t)).ToArray();

        var response = await browser.PostFormAsync(Page, Page, kept);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var emailed = await EmailedAsync(person);
        emailed[WorkflowNotification.ChangeApproved].ShouldBeFalse();
        emailed.Where(e => e.Key != WorkflowNotification.ChangeApproved).ShouldAllBe(e => e.Value);
        var page = await browser.GetStringAsync(response.Headers.Location!, Ct);
        page.ShouldContain($"Your choices are saved: {WorkflowNotification.All.Count - 1} of {WorkflowNotification.All.Count} notifications are emailed to you.");
        Checked(page).ShouldNotContain(WorkflowNotification.ChangeApproved);
        Checked(page).Count.ShouldBe(WorkflowNotification.All.Count - 1);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_changes_nothing()
    {
        var (person, browser) = await S.SignedInAsync(Role.Requestor);

        var response = await browser.PostAsync(Page, new FormUrlEncodedContent([KeyValuePair.Create("Email", WorkflowNotification.ChangeApproved)]), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await EmailedAsync(person)).Values.ShouldAllBe(on => on);
    }

    [Fact]
    public async Task Anonymous_is_sent_to_sign_in()
    {
        var anonymous = await App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync(Page, Ct);

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        anonymous.Headers.Location!.AbsolutePath.ShouldBe("/login");
    }
}

public sealed class NotificationPreferencesPageTests_Sqlite(SqliteApp app) : NotificationPreferencesPageTests(app), IClassFixture<SqliteApp>;

public sealed class NotificationPreferencesPageTests_Postgres(PostgresApp app) : NotificationPreferencesPageTests(app), IClassFixture<PostgresApp>;
