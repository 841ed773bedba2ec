using System.Globalization;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// The Standard change catalog as people use it (policy 3.1): a requestor writes a template through the form and submits it,
/// a Change Approver approves it from its page, and the requestor makes a Standard change from it, approved at once, which
/// the catalog then counts.
/// </summary>
public sealed partial class TemplateCatalogTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    private const string Commit = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

    /// <summary>A datetime-local value, as a person types it.</summary>
    private static string LocalInput(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    private static ILocator StatusBadge(IPage page) => page.Locator("#template-status .badge");

    private static ILocator Checkbox(IPage page, string name) => page.GetByRole(AriaRole.Checkbox, new() { Name = name, Exact = true });

    private static ILocator CatalogRow(IPage page, string name) =>
        page.Locator("#templates tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }) });

    [Fact]
    public async Task A_template_written_by_a_requestor_and_approved_by_a_change_approver_makes_an_approved_standard_change()
    {
        var requestor = await AccountAsync(Role.Requestor);
        var approver = await AccountAsync(Role.ChangeApprover);
        var service = await new Scenario(App).ServiceAsync();
        var name = $"patch-{Guid.NewGuid():N}"[..20];
        const string Title = "Patch the base image";

        // The requestor finds the catalog in the header and writes a template, forgetting its environments at first.
        await SignInAsync(Page, requestor);
        await NavLink(Page, "Templates").ClickAsync();
        await Expect(Heading(Page, "Standard change templates")).ToBeVisibleAsync();
        await Expect(NavLink(Page, "Templates")).ToHaveAttributeAsync("aria-current", "page");
        await Field(Page, "Name").FillAsync(name);
        await Field(Page, "Title").FillAsync(Title);
        await Field(Page, "Description").FillAsync("The monthly base-image patch of one service.");
        await Checkbox(Page, service).CheckAsync();
        await Field(Page, "Purpose").FillAsync("Keep the base image patched.");
        await Field(Page, "Scope").FillAsync($"The {service} base image only.");
        await Field(Page, "Impact analysis").FillAsync("Rolling restart; no user-visible downtime.");
        await Field(Page, "Rollback plan").FillAsync("Redeploy the previous image tag.");
        await Field(Page, "Test plan").FillAsync("Unit, integration and security suites in CI; a staging canary.");
        foreach (var question in DefaultRiskQuestionnaire.Instance.Questions)
            await Field(Page, question.Text).SelectOptionAsync(new SelectOptionValue { Label = question.Options.MinBy(o => o.Weight)!.Label });
        await Expect(Page.Locator("[data-risk-output='Overall']")).ToHaveTextAsync("Low");
        await Button(Page, "Write template").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("Not done:");
        await Expect(Page.Locator("#environments-error")).ToHaveTextAsync("Name the environments its changes may go to.");
        await Expect(Field(Page, "Name")).ToHaveValueAsync(name);
        await Expect(Checkbox(Page, service)).ToBeCheckedAsync();
        await Checkbox(Page, "staging").CheckAsync();
        await Checkbox(Page, "production").CheckAsync();
        await Screenshots.SaveAsync(Page, "template-form");
        await Button(Page, "Write template").ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex($"/templates/{name}$"));
        await Expect(Heading(Page, $"{name}: {Title}")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Template {name} was written as a draft.");
        await Expect(StatusBadge(Page)).ToHaveTextAsync("Draft");
        await Button(Page, "Submit for approval").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Template {name} is submitted for approval: it needs a Change Approver.");
        await Expect(StatusBadge(Page)).ToHaveTextAsync("Submitted");
        // Their own template: no buttons, and the reason in words.
        await Expect(Button(Page, "Approve")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#decision-reason")).ToContainTextAsync(
            $"You cannot decide on this template: You asked for template {name}; the people who decide on it must be others (policy 3.7).");
        await Expect(Field(Page, "Planned start (UTC)")).ToHaveCountAsync(0);

        // The Change Approver, at another browser, finds it among the submitted templates and approves it: published for a year.
        var approverPage = await NewPageAsync();
        await SignInAsync(approverPage, approver);
        await approverPage.GotoAsync("/templates?status=submitted");
        var row = CatalogRow(approverPage, name);
        await Expect(row.Locator("td")).ToContainTextAsync([Title, service, "production, staging", "Submitted", "—", "0"]);
        await row.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
        await Field(approverPage, "Comment").FillAsync("Routine and well tested.");
        await Button(approverPage, "Approve").ClickAsync();
        await Expect(approverPage.GetByRole(AriaRole.Status)).ToContainTextAsync($"Template {name} is published: it makes Standard changes until");
        await Expect(StatusBadge(approverPage)).ToHaveTextAsync("Published");
        var published = await requestor.Api.GetJsonAsync<TemplateResponse>($"/api/v1/templates/{name}");
        published.Status.ShouldBe(TemplateStatus.Published);
        var expiry = published.ExpiresAt!.Value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        await Expect(approverPage.Locator("#template-status")).ToContainTextAsync($"Makes Standard changes until {expiry} UTC");
        await Expect(approverPage.Locator("#expires-at")).ToHaveTextAsync(expiry);
        await Expect(approverPage.Locator("#decisions tbody tr")).ToContainTextAsync([$"1 {approver.Name} Approved Routine and well tested."]);
        await Expect(Button(approverPage, "Approve")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(approverPage, "template-published");

        // The requestor makes a Standard change from it: approved at once, the template named on the change's page.
        var now = App.Time.GetUtcNow().UtcDateTime;
        var start = new DateTime(now.Year, now.Month, now.Day, 9, 0, 0, DateTimeKind.Utc).AddDays(1);
        await Page.ReloadAsync();
        await Field(Page, "Planned start (UTC)").FillAsync(LocalInput(start));
        await Field(Page, "Planned end (UTC)").FillAsync(LocalInput(start.AddHours(2)));
        await Field(Page, "Commits").FillAsync(Commit);
        await Button(Page, "Make Standard change").ClickAsync();

        await Expect(Page).ToHaveURLAsync(ChangeUrl());
        var number = ChangeUrl().Match(Page.Url).Groups[1].Value;
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{number} is Approved: a Standard change from template {name}.");
        await Expect(StateBadge(Page)).ToHaveTextAsync("Approved");
        await Expect(Page.Locator("main .badge.type-Standard")).ToHaveTextAsync("Standard");
        var templateLink = Page.Locator("#change-template").GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
        await Expect(templateLink).ToHaveAttributeAsync("href", $"/templates/{name}");
        await Screenshots.SaveAsync(Page, "standard-change");

        // Back in the catalog, the template has made one change.
        await templateLink.ClickAsync();
        await Expect(Page.Locator("#usage")).ToHaveTextAsync("1");
        await NavLink(Page, "Templates").ClickAsync();
        await Expect(CatalogRow(Page, name).Locator("td")).ToContainTextAsync([Title, service, "production, staging", "Published", expiry, "1"]);
        await Screenshots.SaveAsync(Page, "templates");

        var change = await requestor.Api.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{number}");
        (change.Type, change.State, change.Template).ShouldBe((ChangeType.Standard, ChangeState.Approved, name));
        change.Commits.Select(c => c.Sha).ShouldBe([Commit]);
        published.Decisions.ShouldHaveSingleItem().Credential.ShouldNotBeNull().ShouldStartWith("session:");
    }

    [GeneratedRegex(@"/changes/(CR-\d+)$")]
    private static partial Regex ChangeUrl();
}
