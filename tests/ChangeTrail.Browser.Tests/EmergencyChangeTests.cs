using System.Globalization;
using System.Text.RegularExpressions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// An emergency change through the pages (policy 3.6): started at once from a draft with a justification, written up while
/// it is implemented, approved retrospectively, verified, reviewed by the CAB (outcome, root cause, follow-up actions) and
/// closed — each person at their own browser.
/// </summary>
public sealed partial class EmergencyChangeTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    private static string Minute(DateTime time) => time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A datetime-local value, as a person types it.</summary>
    private static string LocalInput(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    /// <summary>The value of a fact on the change page: the &lt;dd&gt; after the &lt;dt&gt; that names it.</summary>
    private static ILocator Fact(IPage page, string term) =>
        page.Locator($"xpath=//main//dt[normalize-space()='{term}']/following-sibling::dd[1]");

    private static ILocator Notice(IPage page) => page.GetByRole(AriaRole.Status);

    [Fact]
    public async Task An_emergency_is_started_at_once_written_up_approved_afterwards_verified_reviewed_by_the_CAB_and_closed()
    {
        var implementer = await AccountAsync(Role.Requestor, Role.Implementer);
        var approver = await AccountAsync(Role.ChangeApprover);
        var cab = await AccountAsync(Role.CabMember);
        var service = await new Scenario(App).ServiceAsync();
        var title = $"Hotfix the {service} TLS expiry";
        var justification = $"The {service} certificate expired at 03:10 UTC; every client is refused.";
        var now = App.Time.GetUtcNow().UtcDateTime;

        // 1. The requestor (who implements it too) fills the change form as an Emergency, leaving "Test results" empty.
        await SignInAsync(Page, implementer);
        await Expect(Heading(Page, "Dashboard")).ToBeVisibleAsync();
        await NavLink(Page, "New change").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/changes/new$"));
        await Field(Page, "Type").SelectOptionAsync(new SelectOptionValue { Label = "Emergency" });
        await Field(Page, "Title").FillAsync(title);
        await Field(Page, "Purpose").FillAsync("Restore TLS for every client.");
        await Field(Page, "Scope").FillAsync($"The {service} certificate only.");
        await Field(Page, "Impact analysis").FillAsync("One rolling restart; clients reconnect.");
        await Field(Page, "Rollback plan").FillAsync("Put the previous certificate back.");
        await Field(Page, "Test plan").FillAsync("openssl s_client against each pod; the synthetic check goes green.");
        await Field(Page, "Planned start (UTC)").FillAsync(LocalInput(now));
        await Field(Page, "Planned end (UTC)").FillAsync(LocalInput(now.AddHours(1)));
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = service, Exact = true }).CheckAsync();
        foreach (var question in DefaultRiskQuestionnaire.Instance.Questions)
            await Field(Page, question.Text).SelectOptionAsync(new SelectOptionValue { Label = question.Options.MinBy(o => o.Weight)!.Label });
        await Field(Page, "Emergency justification").FillAsync(justification);
        await Button(Page, "Save draft").ClickAsync();

        await Expect(Page).ToHaveURLAsync(ChangeUrl());
        var number = ChangeUrl().Match(Page.Url).Groups["number"].Value;
        var url = $"/changes/{number}";
        await Expect(Heading(Page, $"{number}: {title}")).ToBeVisibleAsync();
        await Expect(StateBadge(Page)).ToHaveTextAsync("Draft");
        await Expect(Page.Locator("main .badge.type-Emergency")).ToHaveTextAsync("Emergency");
        await Expect(Fact(Page, "Emergency justification")).ToHaveTextAsync(justification);
        await Expect(Fact(Page, "Test results")).ToHaveTextAsync("—");
        // No write-up or review is due before it starts.
        await Expect(Fact(Page, "Write-up due (UTC)")).ToHaveCountAsync(0);
        await Expect(Fact(Page, "Review due (UTC)")).ToHaveCountAsync(0);

        // It starts at once, from the draft: the write-up falls due in 24 hours, the CAB review in 7 days.
        await Button(Page, "Start implementation").ClickAsync();
        await Expect(Notice(Page)).ToContainTextAsync($"Done: {number} is now Implementing.");
        await Expect(StateBadge(Page)).ToHaveTextAsync("Implementing");
        await Expect(Fact(Page, "Write-up due (UTC)")).ToHaveTextAsync(Minute(now.AddHours(24)));
        await Expect(Fact(Page, "Review due (UTC)")).ToHaveTextAsync(Minute(now.AddDays(7)));
        await Expect(Fact(Page, "Implementer")).ToHaveTextAsync(implementer.Name);
        await Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Approvals" })).ToContainTextAsync("Outstanding");
        await Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Timeline" })).ToContainTextAsync(justification);

        // 2. The write-up: the test results, through the edit form. The change stays Implementing.
        await EditControl(Page).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"{url}/edit$"));
        await Expect(Field(Page, "Type")).ToBeDisabledAsync();
        await Expect(Field(Page, "Emergency justification")).ToHaveValueAsync(justification);
        await Field(Page, "Test results").FillAsync("s_client shows the new certificate on all pods; synthetic check green since 03:40.");
        await Button(Page, "Save draft").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"{url}$"));
        await Expect(Notice(Page)).ToContainTextAsync($"{number} saved.");
        await Expect(StateBadge(Page)).ToHaveTextAsync("Implementing");
        await Expect(Fact(Page, "Test results")).ToHaveTextAsync("s_client shows the new certificate on all pods; synthetic check green since 03:40.");

        // 3. A Change Approver, at another browser, approves it retrospectively: it is still being implemented.
        var approverPage = await NewPageAsync();
        await SignInAsync(approverPage, approver);
        await Expect(Heading(approverPage, "Dashboard")).ToBeVisibleAsync();
        await approverPage.GotoAsync(url);
        await Expect(StateBadge(approverPage)).ToHaveTextAsync("Implementing");
        await Field(approverPage, "Comment").FillAsync("Justified: the outage was total.");
        await Button(approverPage, "Approve").ClickAsync();
        await Expect(Notice(approverPage)).ToContainTextAsync($"Done: {number} is now Implementing.");
        await Expect(StateBadge(approverPage)).ToHaveTextAsync("Implementing");
        var approvals = approverPage.GetByRole(AriaRole.Region, new() { Name = "Approvals" });
        await Expect(approvals).ToContainTextAsync(approver.Name);
        await Expect(approvals).ToContainTextAsync("Justified: the outage was total.");
        await Expect(approvals.GetByText("Outstanding")).ToHaveCountAsync(0);
        await Expect(Button(approverPage, "Approve")).ToHaveCountAsync(0);
        // Written up and approved: the write-up is done, on time.
        await Expect(Fact(approverPage, "Write-up due (UTC)")).ToHaveTextAsync($"{Minute(now.AddHours(24))}; done {Minute(now)}");

        // 4. The implementer marks it implemented and records a successful verification; it cannot close before the review.
        await Page.ReloadAsync();
        await Button(Page, "Mark implemented").ClickAsync();
        await Expect(StateBadge(Page)).ToHaveTextAsync("Implemented");
        await Expect(Field(Page, "Verification outcome")).ToHaveValueAsync("Success");
        await Field(Page, "Notes").FillAsync("All clients reconnected; error rate back to baseline.");
        await Button(Page, "Verify").ClickAsync();
        await Expect(StateBadge(Page)).ToHaveTextAsync("Verified");
        var verification = Page.GetByRole(AriaRole.Region, new() { Name = "Verification" });
        await Expect(verification).ToContainTextAsync("Passed");
        await Expect(verification).ToContainTextAsync("All clients reconnected; error rate back to baseline.");
        await Expect(Button(Page, "Close")).ToHaveCountAsync(0);
        await Expect(Page.Locator(".reason").Filter(new() { HasText = "Close:" }))
            .ToContainTextAsync("closed only after a CAB member's post-implementation review");

        // 5. A CAB member reviews it from its page. Without a root cause the server refuses, naming the field, and keeps what was typed.
        var cabPage = await NewPageAsync();
        await SignInAsync(cabPage, cab);
        await Expect(Heading(cabPage, "Dashboard")).ToBeVisibleAsync();
        await cabPage.GotoAsync(url);
        await Expect(StateBadge(cabPage)).ToHaveTextAsync("Verified");
        var followUps = "Alert 14 days before any certificate expires\nAutomate the certificate renewal";
        await Field(cabPage, "Outcome").SelectOptionAsync("PartiallySuccessful");
        await Field(cabPage, "Follow-up actions").FillAsync(followUps);
        await Field(cabPage, "Notes").FillAsync("Reviewed at the weekly CAB.");
        await Expect(Field(cabPage, "Root cause")).ToHaveAttributeAsync("required", "");
        // Past the browser's own check, to the server's.
        await Field(cabPage, "Root cause").EvaluateAsync("e => e.removeAttribute('required')");
        await Button(cabPage, "Record review").ClickAsync();
        var refusal = cabPage.GetByRole(AriaRole.Alert);
        await Expect(refusal.First).ToContainTextAsync("Not done:");
        await Expect(refusal.Filter(new() { HasText = "Missing or invalid:" }).GetByRole(AriaRole.Listitem)).ToHaveTextAsync(["Root cause"]);
        await Expect(StateBadge(cabPage)).ToHaveTextAsync("Verified");
        await Expect(Fact(cabPage, "Post-implementation review")).ToHaveCountAsync(0);
        await Expect(Field(cabPage, "Outcome")).ToHaveValueAsync("PartiallySuccessful");
        await Expect(Field(cabPage, "Follow-up actions")).ToHaveValueAsync(followUps);
        await Expect(Field(cabPage, "Notes")).ToHaveValueAsync("Reviewed at the weekly CAB.");

        const string rootCause = "The certificate was renewed by hand and nobody owned its expiry.";
        await Field(cabPage, "Root cause").FillAsync(rootCause);
        await Button(cabPage, "Record review").ClickAsync();
        await Expect(Notice(cabPage)).ToContainTextAsync($"Done: {number} is now Verified.");
        var review = Fact(cabPage, "Post-implementation review");
        await Expect(review).ToContainTextAsync($"{cab.Name}, {Minute(now)}: PartiallySuccessful");
        await Expect(review.Locator("strong")).ToHaveTextAsync("PartiallySuccessful");
        await Expect(review).ToContainTextAsync($"Root cause: {rootCause}");
        await Expect(review.GetByRole(AriaRole.Listitem)).ToHaveTextAsync(["Alert 14 days before any certificate expires", "Automate the certificate renewal"]);
        await Expect(review).ToContainTextAsync("Reviewed at the weekly CAB.");
        await Expect(Button(cabPage, "Record review")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(cabPage, "emergency-reviewed");

        // 6. The requestor closes it.
        await Page.ReloadAsync();
        await Button(Page, "Close").ClickAsync();
        await Expect(Notice(Page)).ToContainTextAsync($"Done: {number} is now Closed.");
        await Expect(StateBadge(Page)).ToHaveTextAsync("Closed");
        await Expect(Fact(Page, "Post-implementation review").GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
        await Expect(Button(Page, "Close")).ToHaveCountAsync(0);
        await Expect(EditControl(Page)).ToHaveCountAsync(0);
    }

    [GeneratedRegex(@"/changes/(?<number>CR-\d+)$")]
    private static partial Regex ChangeUrl();
}
