using System.Globalization;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// The WCAG basics a test can check: every control has an accessible name, the skip link is the first
/// stop for the keyboard, and the main screens fit a phone without scrolling sideways.
/// </summary>
public sealed class AccessibilityTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    [Fact]
    public async Task Every_form_control_on_the_main_screens_has_an_accessible_name()
    {
        var requestor = await AccountAsync(Role.Requestor, Role.Implementer);
        var change = await SubmittedChangeAsync(requestor);
        var exception = await RequestedExceptionAsync(requestor);
        var template = await PublishedTemplateAsync(requestor);
        var version = await ProposedPolicyVersionAsync();
        await SignInAsync(Page, requestor);

        // The requestor's own exception shows its withdrawal form; the register, its request form; their published template,
        // the Standard change, hand-over and retirement forms; the catalog, its template form.
        foreach (var path in MainScreens(change, exception, template, version))
        {
            await Page.GotoAsync(path);
            (await UnnamedControlsAsync(Page)).ShouldBeEmpty($"controls without a name on {path}");
        }
        await Page.GotoAsync($"/templates/{template.Name}");
        await Expect(Page.GetByRole(AriaRole.Combobox, new() { Name = "New author" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Hand over", Exact = true })).ToBeVisibleAsync();

        // The revision form, which its author sees on a template not yet approved.
        var draft = await requestor.Api.PostJsonAsync<TemplateResponse>("/api/v1/templates", new TemplateRequest(
            $"draft-{Scenario.Unique()}", "Patch the base image", null, [await new Scenario(App).ServiceAsync()], ["production"], null, null, null,
            null, null));
        await Page.GotoAsync($"/templates/{draft.Name}/revise");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Save revision", Exact = true })).ToBeVisibleAsync();
        (await UnnamedControlsAsync(Page)).ShouldBeEmpty("controls without a name on a template's revision form");

        // The Approve and Reject form on an exception is shown to its deciders only.
        var head = await AccountAsync(Role.HeadOfEngineering);
        var headPage = await NewPageAsync();
        await SignInAsync(headPage, head);
        await headPage.GotoAsync($"/exceptions/{exception.Number}");
        await Expect(headPage.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToBeVisibleAsync();
        (await UnnamedControlsAsync(headPage)).ShouldBeEmpty("controls without a name on an exception a Head of Engineering may decide on");

        // The policy's review and proposal forms, and a proposed version's Approve and Reject, are shown to its owners only.
        await headPage.GotoAsync("/policy");
        await Expect(headPage.GetByRole(AriaRole.Button, new() { Name = "Record review", Exact = true })).ToBeVisibleAsync();
        await Expect(headPage.GetByRole(AriaRole.Button, new() { Name = "Propose version", Exact = true })).ToBeVisibleAsync();
        (await UnnamedControlsAsync(headPage)).ShouldBeEmpty("controls without a name on the policy its Head of Engineering sees");
        await headPage.GotoAsync($"/policy/versions/{version.Number}");
        await Expect(headPage.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToBeVisibleAsync();
        (await UnnamedControlsAsync(headPage)).ShouldBeEmpty("controls without a name on a policy version a Head of Engineering may decide on");

        // Likewise the Approve and Reject form on a submitted template, shown to its approvers only.
        var submitted = await SubmittedTemplateAsync(requestor);
        var approverPage = await NewPageAsync();
        await SignInAsync(approverPage, await AccountAsync(Role.ChangeApprover));
        await approverPage.GotoAsync($"/templates/{submitted.Name}");
        await Expect(approverPage.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToBeVisibleAsync();
        (await UnnamedControlsAsync(approverPage)).ShouldBeEmpty("controls without a name on a template a Change Approver may decide on");

        // The calendar's freeze form and Lift buttons are shown to Admins only.
        var admin = await AccountAsync(Role.Admin);
        // On a service of its own: a freeze of every service could refuse the other tests' submissions.
        var service = await new Scenario(App).ServiceAsync();
        var tomorrow = App.Time.GetUtcNow().UtcDateTime.Date.AddDays(1);
        await App.AsAdmin().PostJsonAsync<FreezeWindowResponse>("/api/v1/freeze-windows",
            new CreateFreezeWindowRequest("Accessibility freeze", tomorrow, tomorrow.AddHours(2), [service], null));
        var adminPage = await NewPageAsync();
        await SignInAsync(adminPage, admin);
        await adminPage.GotoAsync($"/calendar?date={tomorrow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        await Expect(adminPage.GetByRole(AriaRole.Button, new() { Name = "Lift the freeze 'Accessibility freeze'" })).ToBeVisibleAsync();
        (await UnnamedControlsAsync(adminPage)).ShouldBeEmpty("controls without a name on the calendar an Admin sees");
    }

    private static string[] MainScreens(ChangeResponse change, PolicyExceptionResponse exception, TemplateResponse template,
        PolicyVersionResponse version) =>
    [
        "/", "/changes", "/changes/new", $"/changes/{change.Number}", "/deployments", "/calendar", "/calendar?view=week", "/exceptions",
        $"/exceptions/{exception.Number}", "/templates", $"/templates/{template.Name}", "/policy", $"/policy/versions/{version.Number}",
        "/account/tokens", "/account/notifications",
    ];

    /// <summary>
    /// A policy in force — proposed by the first admin, approved by a Head of Engineering and a Security Officer — with a table
    /// and a long unbroken word in it, and a newer version proposed after it, still awaiting its sign-offs: the one returned.
    /// </summary>
    private async Task<PolicyVersionResponse> ProposedPolicyVersionAsync()
    {
        const string Text = "# Policy\n\n| Risk | Approvers |\n|---|---|\n| High | a Change Approver and a CAB member |\n\n" +
                            "The evidence of 2025: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a089f86d081884c7d659a2feaa0c55ad015.";
        var admin = App.AsAdmin();
        var first = await admin.PostJsonAsync<PolicyVersionResponse>("/api/v1/policy/versions", new ProposePolicyVersionRequest(Text, "First."));
        foreach (var owner in new[] { Role.HeadOfEngineering, Role.SecurityOfficer })
        {
            await (await AccountAsync(owner)).Api.PostJsonAsync<PolicyVersionResponse>($"/api/v1/policy/versions/{first.Number}/approvals",
                new DecisionRequest(Domain.Changes.ApprovalDecision.Approve, "Read."));
        }
        return await admin.PostJsonAsync<PolicyVersionResponse>("/api/v1/policy/versions", new ProposePolicyVersionRequest(Text + "\n\nMore.", "Second."));
    }

    /// <summary>A complete Standard change template of <paramref name="author"/>'s on a new service, submitted for approval.</summary>
    private async Task<TemplateResponse> SubmittedTemplateAsync(Account author)
    {
        var service = await new Scenario(App).ServiceAsync();
        var template = await author.Api.PostJsonAsync<TemplateResponse>("/api/v1/templates", new TemplateRequest(
            $"patch-{Scenario.Unique()}", "Patch the base image", "The monthly patch.", [service], ["staging", "production"],
            "Keep it patched.", "The base image only.", "Rolling restart.", "Redeploy the previous image.", "CI and a canary.",
            Scenario.LowRiskAnswers));
        return await author.Api.PostJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}/submit");
    }

    /// <summary>As <see cref="SubmittedTemplateAsync"/>, then approved by a Change Approver: it makes Standard changes.</summary>
    private async Task<TemplateResponse> PublishedTemplateAsync(Account author)
    {
        var template = await SubmittedTemplateAsync(author);
        var approver = await AccountAsync(Role.ChangeApprover);
        return await approver.Api.PostJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}/approvals",
            new DecisionRequest(Domain.Changes.ApprovalDecision.Approve, "Routine."));
    }

    private async Task<PolicyExceptionResponse> RequestedExceptionAsync(Account requestor) =>
        await requestor.Api.PostJsonAsync<PolicyExceptionResponse>("/api/v1/exceptions", new PolicyExceptionRequest(
            "Deploy inside the freeze", "freeze-window", "Deploy the payments fix inside the quarter-close freeze.",
            "Low: the fix is small.", "The on-call SRE watches the rollout.", App.Time.GetUtcNow().UtcDateTime.AddDays(7)));

    private static Task<string[]> UnnamedControlsAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
            .filter(el => {
                const byLabel = el.labels && el.labels.length > 0 && [...el.labels].some(l => l.textContent.trim());
                const byAria = (el.getAttribute('aria-label') || '').trim() || el.getAttribute('aria-labelledby');
                const byText = el.tagName === 'BUTTON' && el.textContent.trim();
                return !(byLabel || byAria || byText);
            })
            .map(el => el.outerHTML.slice(0, 120))
        """);

    [Fact]
    public async Task The_first_tab_stop_is_the_skip_link_and_it_moves_focus_to_the_content()
    {
        var requestor = await AccountAsync(Role.Requestor);
        await SignInAsync(Page, requestor);
        await Page.GotoAsync("/changes");

        await Page.Keyboard.PressAsync("Tab");
        var skip = Page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        await Expect(skip).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("main")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task The_main_screens_fit_a_phone_without_scrolling_sideways()
    {
        var requestor = await AccountAsync(Role.Requestor, Role.Implementer);
        var change = await SubmittedChangeAsync(requestor);
        var exception = await RequestedExceptionAsync(requestor);
        var template = await PublishedTemplateAsync(requestor);
        var version = await ProposedPolicyVersionAsync();
        await Page.SetViewportSizeAsync(390, 844);
        await SignInAsync(Page, requestor);

        foreach (var path in MainScreens(change, exception, template, version))
        {
            await Page.GotoAsync(path);
            var overflow = await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            overflow.ShouldBeLessThanOrEqualTo(0, $"{path} is wider than a phone screen");
        }
    }
}
