using System.Globalization;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyDocuments;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// The policy document as people use it (policy 6): an Admin proposes its first version through the form, a Head of
/// Engineering and then a Security Officer — each at their own browser — approve it from its page, after which /policy shows
/// it in force with its review due in twelve months, and the Security Officer records a review.
/// </summary>
public sealed partial class PolicyPageTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    private const string Text = """
        # Change management at Example Ltd

        ## 3.3 Approval

        Every Normal change is **approved** by a Change Approver before it is deployed.

        | Risk | Approvers |
        |---|---|
        | Low or Medium | a Change Approver |
        | High | a Change Approver and a CAB member |
        """;

    private static ILocator SignOffRow(IPage page, string description) =>
        page.Locator("#required-signoffs tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = description, Exact = true }) });

    private static string Minute(DateTime instant) => instant.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_admin_proposes_the_policy_its_two_owners_put_it_in_force_and_the_security_officer_records_its_review()
    {
        var admin = await AccountAsync(Role.Admin);
        var head = await AccountAsync(Role.HeadOfEngineering);
        var officer = await AccountAsync(Role.SecurityOfficer);
        var summary = "The first version written down: approval by risk.";

        // The Admin finds the policy in the header: none is in force yet, so they propose one, forgetting the summary at first.
        await SignInAsync(Page, admin);
        await NavLink(Page, "Policy").ClickAsync();
        await Expect(Heading(Page, "Change Management Policy")).ToBeVisibleAsync();
        await Expect(NavLink(Page, "Policy")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(Page.Locator("#review-status")).ToContainTextAsync("No policy in force yet. Propose one;");
        await Field(Page, "Text (Markdown)").FillAsync(Text);
        await Button(Page, "Propose version").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("Not done:");
        await Expect(Page.Locator("[data-valmsg-for='Proposal.Summary']")).ToHaveTextAsync("This field is required.");
        await Expect(Field(Page, "What changed, and why")).ToHaveClassAsync(new Regex("input-validation-error"));
        await Expect(Field(Page, "Text (Markdown)")).ToHaveValueAsync(Text);
        await Field(Page, "What changed, and why").FillAsync(summary);
        await Button(Page, "Propose version").ClickAsync();

        await Expect(Page).ToHaveURLAsync(VersionUrl());
        var number = VersionUrl().Match(Page.Url).Groups[1].Value;
        await Expect(Heading(Page, $"Policy {number}")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Policy {number} was proposed.");
        await Expect(Page.Locator("#version-status .badge")).ToHaveTextAsync("Proposed");
        await Expect(Page.Locator("#version-summary")).ToHaveTextAsync(summary);
        await Expect(Page.Locator("article.policy-text strong")).ToHaveTextAsync("approved");
        await Expect(Page.Locator("article.policy-text table tbody tr")).ToHaveCountAsync(2);
        await Expect(Page.Locator("#signoff-count")).ToContainTextAsync("0 of 2 sign-offs given.");
        // Their own proposal: no buttons, and the reason in words.
        await Expect(Button(Page, "Approve")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#decision-reason")).ToContainTextAsync($"You cannot decide on this version: You asked for policy {number};");
        await Page.GetByText("Markdown source").ClickAsync();
        await Expect(Page.Locator("#markdown-source pre")).ToContainTextAsync("Every Normal change is **approved**");
        await Screenshots.SaveAsync(Page, "policy-version-proposed");

        // The Head of Engineering, at another browser, finds it in the policy's history and approves it: one of two.
        var headPage = await NewPageAsync();
        await SignInAsync(headPage, head);
        await headPage.GotoAsync("/policy");
        var row = headPage.Locator("#policy-versions tbody tr").Filter(new() { Has = headPage.GetByRole(AriaRole.Link, new() { Name = number, Exact = true }) });
        await Expect(row.Locator("td")).ToContainTextAsync([summary, "Proposed", admin.Name]);
        await row.GetByRole(AriaRole.Link, new() { Name = number, Exact = true }).ClickAsync();
        await Field(headPage, "Comment").FillAsync("Matches what we do.");
        await Button(headPage, "Approve").ClickAsync();
        await Expect(headPage.GetByRole(AriaRole.Status)).ToContainTextAsync($"Your approval of policy {number} is recorded; it still awaits the Security Officer.");
        await Expect(headPage.Locator("#signoff-count")).ToContainTextAsync("1 of 2 sign-offs given.");
        await Expect(SignOffRow(headPage, "the Head of Engineering")).ToContainTextAsync(head.Name);
        await Expect(SignOffRow(headPage, "the Security Officer")).ToContainTextAsync("Outstanding");
        await Expect(headPage.Locator("#decisions tbody tr")).ToContainTextAsync([$"{head.Name} Approved Matches what we do."]);
        await Expect(Button(headPage, "Approve")).ToHaveCountAsync(0);

        // The Security Officer gives the second sign-off: in force, its review due twelve months from now.
        var officerPage = await NewPageAsync();
        await SignInAsync(officerPage, officer);
        await officerPage.GotoAsync($"/policy/versions/{number}");
        await Button(officerPage, "Approve").ClickAsync();
        await Expect(officerPage.GetByRole(AriaRole.Status)).ToContainTextAsync($"Policy {number} is approved and in force");
        await Expect(officerPage.Locator("#version-status .badge")).ToHaveTextAsync("In force");
        await Expect(officerPage.Locator("#signoff-count")).ToContainTextAsync("2 of 2 sign-offs given.");

        var policy = await officer.Api.GetJsonAsync<PolicyResponse>("/api/v1/policy");
        var decidedAt = policy.InForce.ShouldNotBeNull().DecidedAt!.Value;
        var due = decidedAt.AddMonths(12);
        policy.NextReviewDue.ShouldBe(due);
        var days = (int)Math.Ceiling((due - App.Time.GetUtcNow().UtcDateTime).TotalDays);
        days.ShouldBeInRange(365, 366);
        await NavLink(officerPage, "Policy").ClickAsync();
        await Expect(officerPage.Locator("#policy-in-force")).ToContainTextAsync($"Version {number}, in force since {Minute(decidedAt)} UTC.");
        await Expect(officerPage.Locator("#review-status")).ToContainTextAsync($"Review due in {days} days, on {Minute(due)} UTC.");
        await Expect(officerPage.Locator("article.policy-text h2")).ToHaveTextAsync("3.3 Approval");
        await Expect(Field(officerPage, "Text (Markdown)")).ToHaveValueAsync(Text);

        // It reads as it should: the Security Officer records the review.
        await Field(officerPage, "Outcome").SelectOptionAsync("unchanged");
        await Field(officerPage, "Notes").FillAsync("Read against this year's audit findings; nothing to change.");
        await Button(officerPage, "Record review").ClickAsync();
        await Expect(officerPage.GetByRole(AriaRole.Status)).ToContainTextAsync($"Your review of policy {number} is recorded.");
        await Expect(officerPage.Locator("#policy-reviews tbody tr").First.Locator("td"))
            .ToContainTextAsync([officer.Name, number, "Unchanged", "Read against this year's audit findings; nothing to change."]);
        await Screenshots.SaveAsync(officerPage, "policy");

        var reviewed = await officer.Api.GetJsonAsync<PolicyResponse>("/api/v1/policy");
        var review = reviewed.Reviews.ShouldHaveSingleItem();
        (review.Reviewer.Id, review.Outcome, review.PolicyVersion).ShouldBe((officer.Id, PolicyReviewOutcome.Unchanged, number));
        reviewed.NextReviewDue.ShouldBe(review.ReviewedAt.AddMonths(12));
        reviewed.InForce!.Decisions.Select(d => d.Approver.Id).ShouldBe([head.Id, officer.Id]);
        reviewed.InForce.Decisions.ShouldAllBe(d => d.Credential != null && d.Credential.StartsWith("session:"));
    }

    [GeneratedRegex(@"/policy/versions/(v\d+)$")]
    private static partial Regex VersionUrl();
}
