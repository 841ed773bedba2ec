using System.Globalization;
using System.Text.RegularExpressions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>From an empty server to an approved change, entirely through the pages a person uses.</summary>
public sealed partial class ChangeStoryTests(EmptyServer fixture) : BrowserTest(fixture), IClassFixture<EmptyServer>
{
    [Fact]
    public async Task From_first_run_setup_to_an_approved_change_through_the_web_UI()
    {
        var unique = Scenario.Unique();
        var service = $"payments-{unique}";
        var requestorEmail = $"rita-{unique}@example.test";
        var approverEmail = $"alan-{unique}@example.test";
        var title = $"Upgrade {service} runtime";

        // First run: sign-in sends the visitor to setup, which creates the administrator and signs them in.
        await Page.GotoAsync("/login");
        await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        await Field(Page, "Setup code").FillAsync(ChangeTrailApp.SetupCode);
        await Field(Page, "Email").FillAsync($"ada-{unique}@example.test");
        await Field(Page, "Your name").FillAsync("Ada Admin");
        await Field(Page, "Password").FillAsync(Password);
        await Button(Page, "Create administrator").ClickAsync();
        await Expect(Page).ToHaveURLAsync(Fixture.Address.ToString());
        await Expect(Heading(Page, "Dashboard")).ToBeVisibleAsync();

        // The administrator adds the people and the service.
        await NavLink(Page, "Users").ClickAsync();
        await AddUserAsync(requestorEmail, "Rita Requestor", "Requestor");
        await AddUserAsync(approverEmail, "Alan Approver", "ChangeApprover");
        await Screenshots.SaveAsync(Page, "admin-users");

        await NavLink(Page, "Services").ClickAsync();
        await Field(Page, "Name").FillAsync(service);
        await Field(Page, "Repository").FillAsync($"https://git.example.test/{service}");
        await Field(Page, "Non-production environments").FillAsync("staging");
        await Field(Page, "Production environments").FillAsync("production");
        await Button(Page, "Add service").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = service })).ToContainTextAsync("production");
        await Screenshots.SaveAsync(Page, "admin-services");
        await SignOutAsync(Page);
        await Screenshots.SaveAsync(Page, "login");

        // The requestor signs in for the first time: the password the admin set is temporary, so they choose their own.
        await FirstSignInAsync(requestorEmail);
        await Expect(Heading(Page, "Dashboard")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(Page, "dashboard");
        await NavLink(Page, "New change").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/changes/new$"));

        var start = Tomorrow(10);
        await Field(Page, "Type").SelectOptionAsync(new SelectOptionValue { Label = "Normal" });
        await Field(Page, "Title").FillAsync(title);
        await Field(Page, "Purpose").FillAsync("Keep the runtime supported and patched.");
        await Field(Page, "Scope").FillAsync($"The {service} service only.");
        await Field(Page, "Impact analysis").FillAsync("Pods restart one by one; no user-visible downtime expected.");
        await Field(Page, "Test plan").FillAsync("Unit, integration and security suites in CI; canary in staging.");
        await Field(Page, "Test results").FillAsync("All suites green on the release commit; staging canary healthy for 1 h.");
        await Field(Page, "Planned start (UTC)").FillAsync(LocalInput(start));
        await Field(Page, "Planned end (UTC)").FillAsync(LocalInput(start.AddHours(2)));
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = service, Exact = true }).CheckAsync();
        await Field(Page, "Commits").FillAsync("a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0 dev@example.test");
        await Field(Page, "Links").FillAsync("https://git.example.test/pr/42");

        // The risk summary follows the answers as they are given.
        var questions = DefaultRiskQuestionnaire.Instance.Questions;
        var downtime = questions.Single(q => q.Key == "downtime");
        await Field(Page, downtime.Text).SelectOptionAsync(new SelectOptionValue { Label = downtime.Options.MaxBy(o => o.Weight)!.Label });
        await Expect(RiskOutput(Page, "Availability")).ToHaveTextAsync("High");
        await Expect(RiskOutput(Page, "Overall")).ToHaveTextAsync("High");
        foreach (var question in questions)
            await Field(Page, question.Text).SelectOptionAsync(new SelectOptionValue { Label = question.Options.MinBy(o => o.Weight)!.Label });
        foreach (var dimension in new[] { "Security", "Availability", "Operations", "Overall" })
            await Expect(RiskOutput(Page, dimension)).ToHaveTextAsync("Low");
        await Screenshots.SaveAsync(Page, "new-change");

        // An end before the start is refused next to the field, and nothing typed is lost.
        await Field(Page, "Planned end (UTC)").FillAsync(LocalInput(start.AddHours(-1)));
        await Button(Page, "Save draft").ClickAsync();
        await Expect(FieldContainer(Page, "Planned end (UTC)")).ToContainTextAsync("The planned end must be after the planned start.");
        await Expect(Field(Page, "Title")).ToHaveValueAsync(title);
        await Expect(Page.GetByRole(AriaRole.Checkbox, new() { Name = service, Exact = true })).ToBeCheckedAsync();
        await Field(Page, "Planned end (UTC)").FillAsync(LocalInput(start.AddHours(2)));
        await Button(Page, "Save draft").ClickAsync();

        await Expect(Page).ToHaveURLAsync(ChangeUrl());
        var number = ChangeUrl().Match(Page.Url).Groups["number"].Value;
        await Expect(Page.Locator("h1")).ToContainTextAsync(number);
        await Expect(Page.Locator("h1")).ToContainTextAsync(title);
        await Expect(StateBadge(Page)).ToHaveTextAsync("Draft");

        // Submitting names what is still missing.
        await Button(Page, "Submit for approval").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Rollback plan" }).First).ToBeVisibleAsync();
        await Expect(StateBadge(Page)).ToHaveTextAsync("Draft");

        await EditControl(Page).ClickAsync();
        await Field(Page, "Rollback plan").FillAsync("Redeploy the previous image tag.");
        await Button(Page, "Save draft").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/changes/{number}$"));
        await Button(Page, "Submit for approval").ClickAsync();
        await Expect(StateBadge(Page)).ToHaveTextAsync("Submitted");
        await Expect(Page.GetByText("You requested this change")).ToBeVisibleAsync();
        await SignOutAsync(Page);

        // The approver, signing in for the first time too, finds it in the list and approves it with a comment.
        await FirstSignInAsync(approverEmail);
        await NavLink(Page, "Changes").ClickAsync();
        await Field(Page, "Search").FillAsync(number);
        await Button(Page, "Filter").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = title })).ToContainTextAsync("Submitted");
        await Screenshots.SaveAsync(Page, "changes");
        await Page.GetByRole(AriaRole.Link, new() { Name = number, Exact = true }).ClickAsync();
        await Field(Page, "Comment").FillAsync("Rollback plan checked; window agreed with on-call.");
        await Button(Page, "Approve").ClickAsync();

        await Expect(StateBadge(Page)).ToHaveTextAsync("Approved");
        await Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Approvals" })).ToContainTextAsync("Alan Approver");
        await Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Timeline" })).ToContainTextAsync("Alan Approver");
        await Expect(Button(Page, "Approve")).ToHaveCountAsync(0);
        Screenshots.Publish(await Screenshots.SaveAsync(Page, "change-detail"), "change-detail.png");
    }

    private async Task AddUserAsync(string email, string name, string role)
    {
        await Field(Page, "Email").FillAsync(email);
        await Field(Page, "Name").FillAsync(name);
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = role, Exact = true }).CheckAsync();
        await Field(Page, "Temporary password (optional)").FillAsync(Scenario.TemporaryPassword);
        await Button(Page, "Add user").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = email })).ToContainTextAsync(role);
    }

    /// <summary>Signs in with the admin's temporary password, is asked for an own one on the same form, and chooses it.</summary>
    private async Task FirstSignInAsync(string email)
    {
        await SignInAsync(Page, email, Scenario.TemporaryPassword);
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose your own to sign in.");
        await Field(Page, "Current password").FillAsync(Scenario.TemporaryPassword);
        await Field(Page, "Your new password").FillAsync(Password);
        await Field(Page, "New password again").FillAsync(Password);
        await Button(Page, "Sign in").ClickAsync();
        await Expect(Heading(Page, "Dashboard")).ToBeVisibleAsync();
    }

    private DateTime Tomorrow(int hour)
    {
        var today = App.Time.GetUtcNow().UtcDateTime.Date;
        return today.AddDays(1).AddHours(hour);
    }

    private static string LocalInput(DateTime value) => value.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    private static ILocator RiskOutput(IPage page, string dimension) => page.Locator($"[data-risk-output='{dimension}']");

    /// <summary>The field's own block, where its error message is shown.</summary>
    private static ILocator FieldContainer(IPage page, string label) => page.Locator(".field").Filter(new() { Has = Field(page, label) });

    [GeneratedRegex(@"/changes/(?<number>CR-\d+)$")]
    private static partial Regex ChangeUrl();
}
