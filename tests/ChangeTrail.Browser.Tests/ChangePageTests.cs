using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>What a change's page lets each viewer do, and what it refuses whatever the browser sends.</summary>
public sealed class ChangePageTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    [Fact]
    public async Task Requestor_sees_no_approve_button_on_their_own_change_and_is_told_why()
    {
        var requestor = await AccountAsync(Role.Requestor, Role.ChangeApprover);
        var change = await SubmittedChangeAsync(requestor);

        await SignInAsync(Page, requestor);
        await Page.GotoAsync($"/changes/{change.Number}");

        await Expect(StateBadge(Page)).ToHaveTextAsync("Submitted");
        await Expect(Page.GetByText("You requested this change")).ToBeVisibleAsync();
        await Expect(Button(Page, "Approve")).ToHaveCountAsync(0);
        await Expect(Button(Page, "Reject")).ToHaveCountAsync(0);
        await Expect(Field(Page, "Comment")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_decision_posted_without_a_valid_antiforgery_token_is_refused_and_changes_nothing()
    {
        var requestor = await AccountAsync(Role.Requestor);
        var approver = await AccountAsync(Role.ChangeApprover);
        var change = await SubmittedChangeAsync(requestor);
        var url = $"/changes/{change.Number}";
        await SignInAsync(Page, approver);
        await Expect(Heading(Page, "Dashboard")).ToBeVisibleAsync();

        // The approve form with its token replaced, then with the token removed.
        foreach (var forge in new[] { "e => e.value = 'forged'", "e => e.remove()" })
        {
            await Page.GotoAsync(url);
            var form = Button(Page, "Approve").Locator("xpath=ancestor::form");
            await form.Locator("input[name='__csrf']").EvaluateAsync(forge);
            await Field(Page, "Comment").FillAsync("forged");
            var response = await Page.RunAndWaitForResponseAsync(() => Button(Page, "Approve").ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.Contains(url, StringComparison.Ordinal));
            response.Status.ShouldBe(400, $"a form whose token was changed with `{forge}` must be refused");
        }

        // A request carrying the session cookie but no token, as another site's form would send it.
        var handler = await Page.APIRequest.PostAsync($"{url}?handler=Step", new()
        {
            Form = Page.APIRequest.CreateFormData().Set("step", "approvals").Set("decision", "Approve").Set("version", change.Version.ToString()),
            MaxRedirects = 0,
        });
        handler.Status.ShouldBe(400);

        var after = await requestor.Api.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{change.Number}");
        after.State.ShouldBe(ChangeState.Submitted);
        after.Approvals.ShouldBeEmpty();

        // The same person, through the untouched form, can decide: the refusals were about the token alone.
        await Page.GotoAsync(url);
        await Expect(StateBadge(Page)).ToHaveTextAsync("Submitted");
        await Button(Page, "Approve").ClickAsync();
        await Expect(StateBadge(Page)).ToHaveTextAsync("Approved");
    }

    [Fact]
    public async Task Markup_typed_into_a_change_is_shown_as_text_and_never_runs()
    {
        const string title = "<script>alert(1)</script>";
        const string purpose = "<img src=x onerror=alert(2)> and <b>bold</b>";
        var requestor = await AccountAsync(Role.Requestor);
        var scenario = new Scenario(App);
        var fields = scenario.CompleteChange(await scenario.ServiceAsync()) with { Title = title, Purpose = purpose };
        var change = await requestor.Api.PostJsonAsync<ChangeResponse>("/api/v1/changes", fields);
        var dialogs = new List<string>();
        Page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };

        await SignInAsync(Page, requestor);
        await Page.GotoAsync($"/changes/{change.Number}");
        var plan = Page.GetByRole(AriaRole.Region, new() { Name = "The change" });
        await Expect(Page.Locator("h1")).ToContainTextAsync(title);
        await Expect(plan).ToContainTextAsync(purpose);
        await Expect(Page.Locator("h1 script")).ToHaveCountAsync(0);
        await Expect(plan.Locator("img, b")).ToHaveCountAsync(0);

        await Page.GotoAsync($"/changes?q={change.Number}");
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = change.Number })).ToContainTextAsync(title);
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        dialogs.ShouldBeEmpty();
    }
}
