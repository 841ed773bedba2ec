using System.Globalization;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// The exception register as people use it (policy 5): a requestor asks for an exception through the form, is told why they
/// cannot approve it themself, and a Head of Engineering and then a Security Officer — each at their own browser — approve it
/// from its page, after which it is in force.
/// </summary>
public sealed partial class ExceptionPageTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    /// <summary>A datetime-local value, as a person types it.</summary>
    private static string LocalInput(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    private static ILocator StatusBadges(IPage page) => page.Locator("#exception-status .badge");

    private static ILocator SignOffRow(IPage page, string description) =>
        page.Locator("#required-signoffs tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = description, Exact = true }) });

    [Fact]
    public async Task A_requested_exception_is_approved_by_a_head_of_engineering_and_then_a_security_officer_never_by_its_requestor()
    {
        var requestor = await AccountAsync(Role.Requestor);
        var head = await AccountAsync(Role.HeadOfEngineering);
        var officer = await AccountAsync(Role.SecurityOfficer);
        var title = $"Deploy the payments fix in the freeze {Guid.NewGuid():N}"[..50];
        var now = App.Time.GetUtcNow().UtcDateTime;
        var expiry = new DateTime(now.Year, now.Month, now.Day, 18, 0, 0, DateTimeKind.Utc).AddDays(14);

        // The requestor finds the register in the header and asks, forgetting the risk assessment at first.
        await SignInAsync(Page, requestor);
        await NavLink(Page, "Exceptions").ClickAsync();
        await Expect(Heading(Page, "Policy exceptions")).ToBeVisibleAsync();
        await Expect(NavLink(Page, "Exceptions")).ToHaveAttributeAsync("aria-current", "page");
        await Field(Page, "Title").FillAsync(title);
        await Field(Page, "Control deviated from").SelectOptionAsync("freeze-window");
        await Field(Page, "Description").FillAsync("Deploy the v2 payments fix inside the quarter-close freeze.");
        await Field(Page, "Compensating controls").FillAsync("The on-call SRE watches the rollout; rollback is one click.");
        await Field(Page, "Expires (UTC)").FillAsync(LocalInput(expiry));
        await Button(Page, "Request exception").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("Not done:");
        await Expect(Page.Locator("[data-valmsg-for='Form.RiskAssessment']")).ToHaveTextAsync("This field is required.");
        await Expect(Field(Page, "Risk assessment")).ToHaveClassAsync(new Regex("input-validation-error"));
        await Expect(Field(Page, "Title")).ToHaveValueAsync(title);
        await Expect(Field(Page, "Control deviated from")).ToHaveValueAsync("freeze-window");
        await Field(Page, "Risk assessment").FillAsync("Low: the fix is small and was canaried in staging.");
        await Button(Page, "Request exception").ClickAsync();

        await Expect(Page).ToHaveURLAsync(ExceptionUrl());
        var number = ExceptionUrl().Match(Page.Url).Groups[1].Value;
        await Expect(Heading(Page, $"{number}: {title}")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{number} was requested.");
        await Expect(StatusBadges(Page)).ToHaveTextAsync(["Requested", "Not in force"]);
        await Expect(Page.Locator("#signoff-count")).ToContainTextAsync("0 of 2 sign-offs given.");
        // Their own exception: no buttons, and the reason in words.
        await Expect(Button(Page, "Approve")).ToHaveCountAsync(0);
        await Expect(Button(Page, "Reject")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#decision-reason")).ToContainTextAsync(
            $"You cannot decide on this exception: You asked for {number}; the people who decide on it must be others (policy 5).");
        await Screenshots.SaveAsync(Page, "exception-requested");

        // The Head of Engineering, at another browser, finds it in the register and approves it: one of two.
        var headPage = await NewPageAsync();
        await SignInAsync(headPage, head);
        await headPage.GotoAsync("/exceptions?status=requested");
        var row = headPage.Locator("#exceptions tbody tr").Filter(new() { Has = headPage.GetByRole(AriaRole.Link, new() { Name = number, Exact = true }) });
        await Expect(row).ToContainTextAsync(title);
        await Expect(row).ToContainTextAsync("freeze-window");
        await Expect(row).ToContainTextAsync("Requested");
        await Expect(row).ToContainTextAsync(requestor.Name);
        await Screenshots.SaveAsync(headPage, "exceptions");
        await row.GetByRole(AriaRole.Link, new() { Name = number, Exact = true }).ClickAsync();
        await Field(headPage, "Comment").FillAsync("The compensating control is enough for one week.");
        await Button(headPage, "Approve").ClickAsync();
        await Expect(headPage.GetByRole(AriaRole.Status)).ToContainTextAsync($"Your approval of {number} is recorded; it still awaits the Security Officer.");
        await Expect(StatusBadges(headPage)).ToHaveTextAsync(["Requested", "Not in force"]);
        await Expect(headPage.Locator("#signoff-count")).ToContainTextAsync("1 of 2 sign-offs given.");
        await Expect(SignOffRow(headPage, "the Head of Engineering")).ToContainTextAsync(head.Name);
        await Expect(SignOffRow(headPage, "the Security Officer")).ToContainTextAsync("Outstanding");
        await Expect(headPage.Locator("#decisions tbody tr")).ToContainTextAsync([$"{head.Name} Approved The compensating control is enough for one week."]);
        await Expect(Button(headPage, "Approve")).ToHaveCountAsync(0);

        // The Security Officer gives the second sign-off: approved, and in force.
        var officerPage = await NewPageAsync();
        await SignInAsync(officerPage, officer);
        await officerPage.GotoAsync($"/exceptions/{number}");
        await Button(officerPage, "Approve").ClickAsync();
        await Expect(officerPage.GetByRole(AriaRole.Status)).ToContainTextAsync($"{number} is approved");
        await Expect(StatusBadges(officerPage)).ToHaveTextAsync(["Approved", "In force"]);
        await Expect(officerPage.Locator("#signoff-count")).ToContainTextAsync("2 of 2 sign-offs given.");
        await Expect(SignOffRow(officerPage, "the Security Officer")).ToContainTextAsync(officer.Name);
        await Screenshots.SaveAsync(officerPage, "exception-approved");

        await officerPage.GotoAsync("/exceptions?status=approved");
        var approvedRow = officerPage.Locator("#exceptions tbody tr").Filter(new() { Has = officerPage.GetByRole(AriaRole.Link, new() { Name = number, Exact = true }) });
        // Title, control, status, in force, expiry, requested by: a cell each.
        await Expect(approvedRow.Locator("td")).ToContainTextAsync([title, "freeze-window (policy 3.5)", "Approved", "Yes",
            expiry.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), requestor.Name]);

        var stored = await requestor.Api.GetJsonAsync<PolicyExceptionResponse>($"/api/v1/exceptions/{number}");
        (stored.Status, stored.InForce, stored.ExpiresAt).ShouldBe((PolicyExceptionStatus.Approved, true, expiry));
        stored.Decisions.Select(d => d.Approver.Id).ShouldBe([head.Id, officer.Id]);
        stored.Decisions.ShouldAllBe(d => d.Credential != null && d.Credential.StartsWith("session:"));
    }

    [GeneratedRegex(@"/exceptions/(EX-\d+)$")]
    private static partial Regex ExceptionUrl();
}
