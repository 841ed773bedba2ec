using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Shouldly;
using static ChangeTrail.Server.Tests.PipelineFlow;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The exception register's pages (policy 5) through the real pipeline with a signed-in browser's cookies: the request form
/// refusing an undocumented request next to each field, the decisions and the revocation going through the API's rules and
/// authorization whatever a forged post says, and a change's form and page citing exceptions. The browser tests
/// (ExceptionPageTests there) cover what people see and click.
/// </summary>
public abstract class ExceptionPageTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Register = "/exceptions";

    private DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    private (string, string)[] RequestForm(string title, string clause = "freeze-window", DateTime? expiresAt = null) =>
    [
        ("Form.Title", title),
        ("Form.PolicyClause", clause),
        ("Form.Description", "Deploy the payments fix inside the quarter-close freeze."),
        ("Form.RiskAssessment", "Low: the fix is small and was canaried in staging."),
        ("Form.CompensatingControls", "The on-call SRE watches the rollout."),
        ("Form.ExpiresAt", WebSession.LocalInput(expiresAt ?? Now.AddDays(7))),
    ];

    private async Task<PolicyExceptionResponse> AskAsync(Person requestor, string clause = "freeze-window") =>
        await ApiClient.ReadAsync<PolicyExceptionResponse>(await requestor.Client.PostAsync("/api/v1/exceptions",
            new PolicyExceptionRequest($"Asked {Scenario.Unique()}", clause, "d", "r", "c", Now.AddDays(7))));

    private static async Task<PolicyExceptionResponse> DecideAsync(Person approver, string exception) =>
        await ApiClient.ReadAsync<PolicyExceptionResponse>(await approver.Client.PostAsync($"/api/v1/exceptions/{exception}/approvals",
            new DecisionRequest(ApprovalDecision.Approve, "Fine.")));

    private Task<PolicyExceptionResponse> ReadAsync(string exception) =>
        S.Admin.GetJsonAsync<PolicyExceptionResponse>($"/api/v1/exceptions/{exception}");

    private Task<List<PolicyExceptionResponse>> AllAsync() => S.Admin.GetJsonAsync<List<PolicyExceptionResponse>>("/api/v1/exceptions");

    /// <summary>The error shown next to a field, by the field's form name; null when none is.</summary>
    private static string? FieldError(string html, string field) =>
        FieldErrorPattern(field).Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;

    private static Regex FieldErrorPattern(string field) => new($"<span [^>]*data-valmsg-for=\"{Regex.Escape(field)}\"[^>]*>([^<]+)</span>");

    /// <summary>A textarea by its form name: its opening tag and its text.</summary>
    private static (string Tag, string Text) TextArea(string html, string name)
    {
        var match = Regex.Match(html, $"(<textarea [^>]*name=\"{Regex.Escape(name)}\"[^>]*>)([^<]*)</textarea>");
        match.Success.ShouldBeTrue($"no textarea {name}");
        return (match.Groups[1].Value, WebUtility.HtmlDecode(match.Groups[2].Value).Trim());
    }

    [Fact]
    public async Task A_requestor_requests_an_exception_through_the_form_and_is_taken_to_its_page()
    {
        var (requestor, browser) = await S.SignedInAsync(Role.Requestor);
        var title = $"Ship during the freeze {Scenario.Unique()}";
        var expiry = new DateTime(Now.Year, Now.Month, Now.Day, Now.Hour, Now.Minute, 0, DateTimeKind.Utc).AddDays(10);

        var response = await browser.PostFormAsync(Register, $"{Register}?handler=Request", RequestForm(title, "automated-tests", expiry));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var exception = (await AllAsync()).Single(e => e.Title == title);
        response.Headers.Location!.OriginalString.ShouldBe($"/exceptions/{exception.Number}");
        exception.PolicyClause.Key.ShouldBe("automated-tests");
        exception.ExpiresAt.ShouldBe(expiry);
        exception.RequestedBy.Id.ShouldBe(requestor.Id);
        exception.Status.ShouldBe(PolicyExceptionStatus.Requested);

        var page = await browser.GetStringAsync(response.Headers.Location, Ct);
        page.ShouldContain($"{exception.Number} was requested. It lifts nothing until a Head of Engineering and a Security Officer approve it.");
        page.ShouldContain("0 of 2 sign-offs given.");
        page.ShouldContain(WebSession.Encoded("You cannot decide on this exception: You asked for " + exception.Number));
        page.ShouldNotContain("value=\"Approve\"");
        var register = await browser.GetStringAsync(Register, Ct);
        register.ShouldContain($"<a href=\"/exceptions/{exception.Number}\">{exception.Number}</a>");
    }

    [Fact]
    public async Task An_undocumented_request_is_refused_next_to_each_field_keeping_what_was_typed_and_nothing_is_stored()
    {
        var (_, browser) = await S.SignedInAsync(Role.Requestor);
        var before = (await AllAsync()).Count;
        var title = $"Undocumented {Scenario.Unique()}";

        var empty = await browser.PostFormAsync(Register, $"{Register}?handler=Request", ("Form.Title", title));
        var unwaivable = await browser.PostFormAsync(Register, $"{Register}?handler=Request", RequestForm(title, "separation-of-duties"));
        var past = await browser.PostFormAsync(Register, $"{Register}?handler=Request", RequestForm(title, expiresAt: Now.AddDays(-1)));

        empty.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await empty.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("Not done:");
        FieldError(html, "Form.Title").ShouldBeNull();
        foreach (var field in new[] { "Form.Description", "Form.RiskAssessment", "Form.CompensatingControls" })
            FieldError(html, field).ShouldBe("This field is required.", field);
        FieldError(html, "Form.PolicyClause").ShouldNotBeNull().ShouldStartWith("Name the control deviated from");
        FieldError(html, "Form.ExpiresAt").ShouldBe("Say when the exception ends; none is open-ended.");
        html.ShouldContain($"value=\"{title}\"");

        FieldError(await unwaivable.Content.ReadAsStringAsync(Ct), "Form.PolicyClause").ShouldNotBeNull().ShouldContain("never waived");
        FieldError(await past.Content.ReadAsStringAsync(Ct), "Form.ExpiresAt").ShouldBe("The expiry must be in the future.");
        (await AllAsync()).Count.ShouldBe(before);
    }

    [Fact]
    public async Task Someone_without_the_requestor_role_sees_no_form_and_a_forged_request_is_refused_in_words()
    {
        var (_, browser) = await S.SignedInAsync(Role.HeadOfEngineering);
        var title = $"Forged {Scenario.Unique()}";

        var register = await browser.GetStringAsync(Register, Ct);
        var forged = await browser.PostFormAsync(Register, $"{Register}?handler=Request", RequestForm(title));

        register.ShouldContain("<h1>Policy exceptions</h1>");
        register.ShouldNotContain("Request an exception");
        register.ShouldNotContain("name=\"Form.Title\"");
        forged.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await forged.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("Not done:");
        html.ShouldContain("you need one of these roles: Requestor.");
        html.ShouldNotContain("name=\"Form.Title\"");
        (await AllAsync()).ShouldNotContain(e => e.Title == title);
    }

    [Fact]
    public async Task Decisions_from_the_page_go_through_the_apis_rules_whatever_a_forged_post_says()
    {
        var (lead, leadBrowser) = await S.SignedInAsync(Role.Requestor, Role.HeadOfEngineering, Role.SecurityOfficer);
        var exception = await AskAsync(lead);
        var page = $"/exceptions/{exception.Number}";
        var decide = $"{page}?handler=Decide";
        var (_, approverBrowser) = await S.SignedInAsync(Role.ChangeApprover, Role.CabMember);
        var (head, headBrowser) = await S.SignedInAsync(Role.HeadOfEngineering);
        var (_, officerBrowser) = await S.SignedInAsync(Role.SecurityOfficer);

        // Its requestor holds both roles, yet never decides on their own exception; a change approver holds neither.
        var own = await leadBrowser.PostFormAsync(page, decide, ("decision", "Approve"), ("Comment", "Mine."));
        var unrelated = await approverBrowser.PostFormAsync(page, decide, ("decision", "Approve"));
        var noToken = await headBrowser.PostAsync(decide,
            new FormUrlEncodedContent([KeyValuePair.Create("decision", "Approve")]), Ct);

        (await own.Content.ReadAsStringAsync(Ct)).ShouldContain(WebSession.Encoded($"You asked for {exception.Number}; the people who decide on it must be others (policy 5)"));
        (await unrelated.Content.ReadAsStringAsync(Ct)).ShouldContain("you need one of these roles: HeadOfEngineering, SecurityOfficer.");
        noToken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ReadAsync(exception.Number)).Decisions.ShouldBeEmpty();

        var first = await headBrowser.PostFormAsync(page, decide, ("decision", "Approve"), ("Comment", "Compensated well enough."));
        first.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        first.Headers.Location!.OriginalString.ShouldBe(page);
        var shown = await headBrowser.GetStringAsync(page, Ct);
        shown.ShouldContain($"Your approval of {exception.Number} is recorded; it still awaits the Security Officer.");
        shown.ShouldContain("1 of 2 sign-offs given.");
        shown.ShouldContain(WebSession.Encoded("You cannot decide on this exception: You have already recorded your decision"));
        var signedOff = await ReadAsync(exception.Number);
        signedOff.Status.ShouldBe(PolicyExceptionStatus.Requested);
        var decision = signedOff.Decisions.ShouldHaveSingleItem();
        (decision.Approver.Id, decision.Comment).ShouldBe((head.Id, "Compensated well enough."));
        decision.Credential.ShouldNotBeNull().ShouldStartWith("session:");

        var second = await officerBrowser.PostFormAsync(page, decide, ("decision", "Approve"));
        second.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await officerBrowser.GetStringAsync(page, Ct)).ShouldContain($"{exception.Number} is approved: it lifts freeze-window");
        var approved = await ReadAsync(exception.Number);
        (approved.Status, approved.InForce).ShouldBe((PolicyExceptionStatus.Approved, true));
    }

    [Fact]
    public async Task A_revocation_needs_a_reason_next_to_its_field_and_only_those_the_rules_allow_see_the_form()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var requestorBrowser = await App.SignInAsync(requestor.Email, requestor.Password);
        var exception = await AskAsync(requestor);
        await DecideAsync(await S.PersonAsync(Role.HeadOfEngineering), exception.Number);
        await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), exception.Number);
        var page = $"/exceptions/{exception.Number}";
        var admin = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);

        // In force, it is no longer its requestor's to withdraw.
        (await requestorBrowser.GetStringAsync(page, Ct)).ShouldNotContain("?handler=Revoke");
        var forged = await requestorBrowser.PostFormAsync(page, $"{page}?handler=Revoke", ("Reason", "I changed my mind."));
        (await forged.Content.ReadAsStringAsync(Ct)).ShouldContain($"To revoke {exception.Number} you need one of these roles");
        (await admin.GetStringAsync(page, Ct)).ShouldContain("?handler=Revoke");

        var blank = await admin.PostFormAsync(page, $"{page}?handler=Revoke", ("Reason", " "));
        FieldError(await blank.Content.ReadAsStringAsync(Ct), "Reason").ShouldBe("This field is required.");
        (await ReadAsync(exception.Number)).Status.ShouldBe(PolicyExceptionStatus.Approved);

        var revoked = await admin.PostFormAsync(page, $"{page}?handler=Revoke", ("Reason", "The suites are fixed."));
        revoked.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var shown = await admin.GetStringAsync(page, Ct);
        shown.ShouldContain($"{exception.Number} is revoked: from now on it lifts nothing.");
        shown.ShouldContain("The suites are fixed.");
        shown.ShouldNotContain("?handler=Revoke");
        var after = await ReadAsync(exception.Number);
        (after.Status, after.RevocationReason).ShouldBe((PolicyExceptionStatus.Revoked, "The suites are fixed."));
    }

    [Fact]
    public async Task The_register_filters_by_status_says_an_unknown_status_in_words_and_an_unknown_exception_is_404()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var requested = await AskAsync(requestor);
        var approved = await AskAsync(requestor);
        await DecideAsync(await S.PersonAsync(Role.HeadOfEngineering), approved.Number);
        await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), approved.Number);
        var browser = await App.SignInAsync(requestor.Email, requestor.Password);

        var onlyApproved = await browser.GetStringAsync($"{Register}?status=approved", Ct);
        var unknown = await browser.GetStringAsync($"{Register}?status=pending", Ct);
        var missing = await browser.GetAsync("/exceptions/EX-999999", Ct);
        var anonymous = await App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync(Register, Ct);

        onlyApproved.ShouldContain($">{approved.Number}</a>");
        onlyApproved.ShouldNotContain($">{requested.Number}</a>");
        FieldError(unknown, "Status").ShouldBe("One of requested, approved, rejected, revoked, expired.");
        unknown.ShouldNotContain("id=\"exceptions\"");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        anonymous.Headers.Location!.AbsolutePath.ShouldBe("/login");
    }

    [Fact]
    public async Task The_change_form_cites_exceptions_one_per_line_refusing_an_unknown_one_next_to_the_field()
    {
        var (requestor, browser) = await S.SignedInAsync(Role.Requestor);
        var exception = await AskAsync(requestor);
        var title = $"Citing {Scenario.Unique()}";

        var refused = await browser.PostFormAsync("/changes/new", "/changes/new",
            ("Form.Type", "Normal"), ("Form.Title", title), ("Form.Exceptions", $"{exception.Number}\nEX-999999"));
        var html = await refused.Content.ReadAsStringAsync(Ct);
        html.ShouldContain(WebSession.Encoded("There is no policy exception 'EX-999999'."));
        TextArea(html, "Form.Exceptions").Tag.ShouldContain("input-validation-error");

        var saved = await browser.PostFormAsync("/changes/new", "/changes/new",
            ("Form.Type", "Normal"), ("Form.Title", title), ("Form.Exceptions", $" {exception.Number} \n"));
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var number = saved.Headers.Location!.OriginalString["/changes/".Length..];
        var change = await requestor.Client.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{number}");
        change.Exceptions.Select(e => e.Number).ShouldBe([exception.Number]);

        var detail = await browser.GetStringAsync($"/changes/{number}", Ct);
        detail.ShouldContain($"<a href=\"/exceptions/{exception.Number}\">{exception.Number}</a>");
        detail.ShouldContain(exception.Title);
        detail.ShouldContain("<span class=\"badge exception-Requested\">Requested</span>");
        TextArea(await browser.GetStringAsync($"/changes/{number}/edit", Ct), "Form.Exceptions").Text.ShouldBe(exception.Number);
        (await browser.GetStringAsync($"/exceptions/{exception.Number}", Ct)).ShouldContain($"<a href=\"/changes/{number}\">{number}</a>");
    }

    [Fact]
    public async Task A_gate_decision_on_the_change_page_shows_each_reason_an_exception_waived_and_which()
    {
        var service = await S.ServiceAsync();
        var exception = await AskAsync(await S.PersonAsync(Role.Requestor), "automated-tests");
        await DecideAsync(await S.PersonAsync(Role.HeadOfEngineering), exception.Number);
        await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), exception.Number);
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service) with { Exceptions = [exception.Number] });
        var pipeline = await S.PipelineAsync();
        await pipeline.DeployToStagingAsync(change.Number, service);
        App.IntoWindow(change);
        var answer = await pipeline.GateAsync(change.Number, service, "production");
        answer.ShouldAllow();
        var waived = answer.Waived[0];

        var admin = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);
        var page = await admin.GetStringAsync($"/changes/{change.Number}", Ct);

        var gate = page[page.IndexOf("id=\"gate-decisions\"", StringComparison.Ordinal)..];
        gate.ShouldContain($"<code>{waived.Code}</code>: {WebSession.Encoded(waived.Message)} — lifted by <a href=\"/exceptions/{exception.Number}\">{exception.Number}</a>");
        page.ShouldContain("<span class=\"badge exception-Approved\">Approved</span>");
    }
}

public sealed class ExceptionPageTests_Sqlite(SqliteApp app) : ExceptionPageTests(app), IClassFixture<SqliteApp>;

public sealed class ExceptionPageTests_Postgres(PostgresApp app) : ExceptionPageTests(app), IClassFixture<PostgresApp>;
