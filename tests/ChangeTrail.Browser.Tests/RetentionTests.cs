using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>Policy 3.5 on screen: a legal hold placed and released on a change's page, and the retention period set by an admin.</summary>
public sealed class RetentionTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    [Fact]
    public async Task An_auditor_places_a_legal_hold_on_a_closed_change_and_releases_it_while_the_requestor_sees_neither_button()
    {
        const string reason = "Litigation hold: matter 2026-114";
        var (requestor, change) = await ClosedChangeAsync();
        var auditor = await AccountAsync(Role.Auditor);
        var url = $"/changes/{change.Number}";
        var requestorPage = await NewPageAsync();
        await SignInAsync(requestorPage, requestor);
        await requestorPage.GotoAsync(url);
        await Expect(StateBadge(requestorPage)).ToHaveTextAsync("Closed");
        await Expect(Button(requestorPage, "Place legal hold")).ToHaveCountAsync(0);

        await SignInAsync(Page, auditor);
        await Page.GotoAsync(url);
        await Expect(StateBadge(Page)).ToHaveTextAsync("Closed");
        await Expect(Button(Page, "Release legal hold")).ToHaveCountAsync(0);
        await Field(Page, "Reason").FillAsync(reason);
        await Button(Page, "Place legal hold").ClickAsync();

        var badge = Page.Locator("main .badge.legal-hold");
        await Expect(badge).ToHaveTextAsync("Legal hold");
        await Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Details" })).ToContainTextAsync(reason);
        await Expect(Button(Page, "Place legal hold")).ToHaveCountAsync(0);

        await requestorPage.ReloadAsync();
        await Expect(requestorPage.Locator("main .badge.legal-hold")).ToHaveTextAsync("Legal hold");
        await Expect(Button(requestorPage, "Release legal hold")).ToHaveCountAsync(0);

        await Button(Page, "Release legal hold").ClickAsync();
        await Expect(badge).ToHaveCountAsync(0);
        await Expect(Button(Page, "Place legal hold")).ToBeVisibleAsync();
        var after = await requestor.Api.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{change.Number}");
        after.LegalHold.ShouldBeNull();
        after.Timeline.Select(t => t.Action).ShouldContain("legal-hold-placed");
        after.Timeline.Select(t => t.Action).ShouldContain("legal-hold-released");
    }

    [Fact]
    public async Task An_admin_opens_the_retention_page_from_the_header_is_refused_eleven_months_and_saves_eighteen()
    {
        var admin = await AccountAsync(Role.Admin);
        await SignInAsync(Page, admin);
        await NavLink(Page, "Retention").ClickAsync();
        await Expect(Heading(Page, "Retention")).ToBeVisibleAsync();
        var months = Field(Page, "Retention period in months");
        await Expect(months).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("^Policy 3\\.5"));

        await months.FillAsync("11");
        await Button(Page, "Save retention period").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("11 months is less than the 12 calendar months policy 3.5 requires");
        await Expect(Page.Locator(".field-error[data-valmsg-for='Form.Months']")).ToHaveTextAsync("At least 12 (policy 3.5).");
        await Expect(months).ToHaveValueAsync("11");

        await months.FillAsync("18");
        await Button(Page, "Save retention period").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Retention set to 18 months");
        await Expect(Page.Locator("#retention-in-force")).ToContainTextAsync("18 months");
        await Expect(Page.Locator("#retention-in-force")).ToContainTextAsync(admin.Name);
        await Expect(months).ToHaveValueAsync("18");
        await Screenshots.SaveAsync(Page, "admin-retention");
        (await App.AsAdmin().GetJsonAsync<RetentionResponse>("/api/v1/settings/retention")).Months.ShouldBe(18);
    }

    /// <summary>A change taken through its whole lifecycle to Closed through the API; its requestor also implemented it.</summary>
    private async Task<(Account Requestor, ChangeResponse Change)> ClosedChangeAsync()
    {
        var requestor = await AccountAsync(Role.Requestor, Role.Implementer);
        var approver = await AccountAsync(Role.ChangeApprover);
        var number = (await SubmittedChangeAsync(requestor)).Number;
        await approver.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/approvals", new DecisionRequest(ApprovalDecision.Approve, "ok"));
        await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/start");
        await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/complete");
        await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/verify", new VerifyRequest(VerificationOutcome.Success, "Green."));
        var closed = await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/close");
        closed.State.ShouldBe(ChangeState.Closed);
        return (requestor, closed);
    }
}
