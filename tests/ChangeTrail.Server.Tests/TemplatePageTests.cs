using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The Standard change catalog's pages (policy 3.1) through the real pipeline with a signed-in browser's cookies: the form
/// refusing a bad template next to each field, submission, decisions and retirement going through the API's rules and
/// authorization whatever a forged post says, a Standard change made from a template's page, and an expired template offering
/// re-approval instead. The browser test (TemplateCatalogTests there) covers what people see and click.
/// </summary>
public abstract class TemplatePageTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Catalog = "/templates";

    private DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    private static string NewName() => $"routine-{Scenario.Unique()}";

    /// <summary>This time tomorrow, to the minute: what a person types into a planned window.</summary>
    private DateTime Tomorrow => new DateTime(Now.Year, Now.Month, Now.Day, Now.Hour, Now.Minute, 0, DateTimeKind.Utc).AddDays(1);

    /// <summary>Every field of the form filled in for <paramref name="service"/>, with risk answers that come out Low.</summary>
    private static (string, string)[] WriteForm(string name, string service, params string[] environments) =>
    [
        ("Form.Name", name),
        ("Form.Title", "Patch the base image"),
        ("Form.Description", "The monthly base-image patch."),
        ("Form.Services", service),
        .. (environments.Length == 0 ? ["staging", "production"] : environments).Select(e => ("Form.Environments", e)),
        ("Form.Purpose", "Keep the base image patched."),
        ("Form.Scope", "The base image only."),
        ("Form.ImpactAnalysis", "Rolling restart; no downtime."),
        ("Form.RollbackPlan", "Redeploy the previous image."),
        ("Form.TestPlan", "CI suites and a staging canary."),
        .. Scenario.LowRiskAnswers.Select(a => ($"Form.RiskAnswers[{a.Key}]", a.Value)),
    ];

    private static TemplateRequest CompleteTemplate(string name, string service) =>
        new(name, "Patch the base image", "The monthly base-image patch.", [service], ["staging", "production"], "Keep the base image patched.",
            "The base image only.", "Rolling restart; no downtime.", "Redeploy the previous image.", "CI suites and a staging canary.",
            Scenario.LowRiskAnswers);

    private async Task<TemplateResponse> WrittenAsync(Person author, string? service = null) =>
        await ApiClient.ReadAsync<TemplateResponse>(await author.Client.PostAsync("/api/v1/templates",
            CompleteTemplate(NewName(), service ?? await S.ServiceAsync())));

    /// <summary>Written by <paramref name="author"/>, submitted, and approved by a Change Approver: published for twelve months.</summary>
    private async Task<TemplateResponse> PublishedAsync(Person author, string? service = null)
    {
        var template = await WrittenAsync(author, service);
        (await author.Client.PostAsync($"/api/v1/templates/{template.Name}/submit", new { })).EnsureSuccessStatusCode();
        var approver = await S.PersonAsync(Role.ChangeApprover);
        return await ApiClient.ReadAsync<TemplateResponse>(await approver.Client.PostAsync($"/api/v1/templates/{template.Name}/approvals",
            new DecisionRequest(ApprovalDecision.Approve, "Routine.")));
    }

    private Task<TemplateResponse> ReadAsync(string template) => S.Admin.GetJsonAsync<TemplateResponse>($"/api/v1/templates/{template}");

    private Task<List<TemplateResponse>> AllAsync() => S.Admin.GetJsonAsync<List<TemplateResponse>>("/api/v1/templates");

    /// <summary>The error shown next to a field, by the field's form name; null when none is.</summary>
    private static string? FieldError(string html, string field) =>
        new Regex($"<span [^>]*data-valmsg-for=\"{Regex.Escape(field)}\"[^>]*>([^<]+)</span>").Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : null;

    /// <summary>The error shown in a field's error element, by its id (for boxes and lists); null when it is empty.</summary>
    private static string? ErrorById(string html, string id) =>
        new Regex($"<span id=\"{Regex.Escape(id)}\"[^>]*>([^<]+)</span>").Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : null;

    [Fact]
    public async Task Its_author_revises_a_rejected_template_in_its_form_which_keeps_its_name_and_nobody_else_can()
    {
        var (author, browser) = await S.SignedInAsync(Role.Requestor);
        var service = await S.ServiceAsync();
        var template = await WrittenAsync(author, service);
        (await author.Client.PostAsync($"/api/v1/templates/{template.Name}/submit", new { })).EnsureSuccessStatusCode();
        var approver = await S.PersonAsync(Role.ChangeApprover);
        (await approver.Client.PostAsync($"/api/v1/templates/{template.Name}/approvals", new DecisionRequest(ApprovalDecision.Reject, "Say which hosts.")))
            .EnsureSuccessStatusCode();
        var page = $"/templates/{template.Name}/revise";

        (await browser.GetStringAsync($"/templates/{template.Name}", Ct)).ShouldContain($"<a class=\"button\" href=\"{page}\">Revise</a>");
        var form = await browser.GetStringAsync(page, Ct);
        form.ShouldContain("value=\"Patch the base image\"", customMessage: "the form opens filled with the template as it is");
        form.ShouldContain($"<input id=\"Form_Name\" value=\"{template.Name}\" readonly");

        // Refused: the typed fields come back with the error next to the title, and nothing changes.
        (string, string)[] blankTitle = [.. WriteForm("renamed", service).Where(f => f.Item1 != "Form.Title"), ("Form.Title", "")];
        var refused = await browser.PostFormAsync(page, page, blankTitle);
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await refused.Content.ReadAsStringAsync(Ct);
        FieldError(html, "Form.Title").ShouldNotBeNull();
        html.ShouldContain("The base image only.</textarea>", customMessage: "what was typed is kept");
        (await ReadAsync(template.Name)).Status.ShouldBe(TemplateStatus.Rejected);

        (string, string)[] revision = [.. WriteForm("renamed", service).Where(f => f.Item1 != "Form.Title"), ("Form.Title", "Patch the web hosts' base image")];
        var saved = await browser.PostFormAsync(page, page, revision);
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        saved.Headers.Location!.OriginalString.ShouldBe($"/templates/{template.Name}");
        var revised = await ReadAsync(template.Name);
        (revised.Name, revised.Title, revised.Status).ShouldBe((template.Name, "Patch the web hosts' base image", TemplateStatus.Draft),
            "the posted name is not the reviser's to change");
        (await browser.GetStringAsync(saved.Headers.Location, Ct)).ShouldContain($"Template {template.Name} is revised.");

        // Another requestor is told why, is shown no form, and a forged post changes nothing.
        var (_, stranger) = await S.SignedInAsync(Role.Requestor);
        var theirs = await stranger.GetStringAsync(page, Ct);
        theirs.ShouldContain($"Only the requestor who wrote template {template.Name} can submit or revise it.");
        theirs.ShouldNotContain("Save revision");
        var forged = await stranger.PostFormAsync(page, page, [.. WriteForm("x", service).Where(f => f.Item1 != "Form.Title"), ("Form.Title", "Hijacked")]);
        (await forged.Content.ReadAsStringAsync(Ct)).ShouldContain("Not done:");
        (await ReadAsync(template.Name)).Title.ShouldBe("Patch the web hosts' base image");
    }

    [Fact]
    public async Task A_requestor_writes_a_template_through_the_form_and_is_taken_to_its_page()
    {
        var (requestor, browser) = await S.SignedInAsync(Role.Requestor);
        var service = await S.ServiceAsync();
        var name = NewName();

        var response = await browser.PostFormAsync(Catalog, $"{Catalog}?handler=Write", WriteForm(name, service));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldBe($"/templates/{name}");
        var template = await ReadAsync(name);
        (template.Status, template.Author.Id, template.Title).ShouldBe((TemplateStatus.Draft, requestor.Id, "Patch the base image"));
        template.Services.Select(s => s.Name).ShouldBe([service]);
        template.Environments.ShouldBe(["staging", "production"]);
        template.RiskAnswers.ShouldBe(Scenario.LowRiskAnswers, ignoreOrder: true);
        template.MissingFields.ShouldBeEmpty();

        var page = await browser.GetStringAsync(response.Headers.Location, Ct);
        page.ShouldContain($"Template {name} was written as a draft.");
        page.ShouldContain("<span class=\"badge template-Draft\">Draft</span>");
        page.ShouldContain(">Submit for approval</button>");
        page.ShouldNotContain("name=\"Change.PlannedStart\"");
        var catalog = await browser.GetStringAsync(Catalog, Ct);
        catalog.ShouldContain($"<a href=\"/templates/{name}\">{name}</a>");
    }

    [Fact]
    public async Task A_bad_template_is_refused_next_to_each_field_keeping_what_was_typed_and_nothing_is_stored()
    {
        var (requestor, browser) = await S.SignedInAsync(Role.Requestor);
        var service = await S.ServiceAsync();
        var taken = await WrittenAsync(requestor, service);
        var before = (await AllAsync()).Count;
        var write = $"{Catalog}?handler=Write";

        var empty = await browser.PostFormAsync(Catalog, write, ("Form.Name", "Not A Name"), ("Form.Purpose", "Kept as typed."));
        var elsewhere = await browser.PostFormAsync(Catalog, write, WriteForm(NewName(), service, "qa"));
        var badAnswer = await browser.PostFormAsync(Catalog, write,
            [.. WriteForm(NewName(), service).Where(f => f.Item1 != "Form.RiskAnswers[downtime]"), ("Form.RiskAnswers[downtime]", "forever")]);
        var sameName = await browser.PostFormAsync(Catalog, write, WriteForm(taken.Name, service));

        empty.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await empty.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("Not done:");
        FieldError(html, "Form.Name").ShouldNotBeNull().ShouldStartWith("2 to 100 lower-case letters");
        FieldError(html, "Form.Title").ShouldBe("This field is required.");
        ErrorById(html, "services-error").ShouldBe("Name the services its changes touch.");
        ErrorById(html, "environments-error").ShouldBe("Name the environments its changes may go to.");
        html.ShouldContain("value=\"Not A Name\"");
        html.ShouldContain("Kept as typed.");

        ErrorById(await elsewhere.Content.ReadAsStringAsync(Ct), "environments-error").ShouldBe("None of the template's services has an environment 'qa'.");
        ErrorById(await badAnswer.Content.ReadAsStringAsync(Ct), "risk-downtime-error").ShouldNotBeNull().ShouldStartWith("Answer with one of:");
        FieldError(await sameName.Content.ReadAsStringAsync(Ct), "Form.Name").ShouldNotBeNull().ShouldStartWith($"A template named {taken.Name} exists");
        (await AllAsync()).Count.ShouldBe(before);
    }

    [Fact]
    public async Task Someone_without_the_requestor_role_sees_no_form_and_a_forged_write_is_refused_in_words()
    {
        var (_, browser) = await S.SignedInAsync(Role.ChangeApprover);
        var name = NewName();

        var catalog = await browser.GetStringAsync(Catalog, Ct);
        var forged = await browser.PostFormAsync(Catalog, $"{Catalog}?handler=Write", WriteForm(name, await S.ServiceAsync()));

        catalog.ShouldContain("<h1>Standard change templates</h1>");
        catalog.ShouldNotContain("Write a template");
        catalog.ShouldNotContain("name=\"Form.Name\"");
        forged.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await forged.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("Not done:");
        html.ShouldContain("you need one of these roles: Requestor.");
        html.ShouldNotContain("name=\"Form.Name\"");
        (await AllAsync()).ShouldNotContain(t => t.Name == name);
    }

    [Fact]
    public async Task Submitting_and_approving_from_the_page_publish_it_through_the_apis_rules_whatever_a_forged_post_says()
    {
        // Its author holds the approver role too, yet never approves their own template.
        var (author, authorBrowser) = await S.SignedInAsync(Role.Requestor, Role.ChangeApprover);
        var template = await WrittenAsync(author);
        var page = $"/templates/{template.Name}";
        var decide = $"{page}?handler=Decide";
        var (_, requestorBrowser) = await S.SignedInAsync(Role.Requestor);
        var (approver, approverBrowser) = await S.SignedInAsync(Role.ChangeApprover);

        (await approverBrowser.GetStringAsync(page, Ct)).ShouldNotContain(">Submit for approval</button>");
        var submitted = await authorBrowser.PostFormAsync(page, $"{page}?handler=Submit");
        submitted.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        submitted.Headers.Location!.OriginalString.ShouldBe(page);
        var shown = await authorBrowser.GetStringAsync(page, Ct);
        shown.ShouldContain($"Template {template.Name} is submitted for approval: it needs a Change Approver.");
        shown.ShouldContain("0 of 1 approval given in round 1.");
        shown.ShouldContain(WebSession.Encoded($"You cannot decide on this template: You asked for template {template.Name}; the people who decide on it must be others (policy 3.7)."));
        shown.ShouldNotContain("value=\"Approve\"");

        var own = await authorBrowser.PostFormAsync(page, decide, ("decision", "Approve"), ("Comment", "Mine."));
        var unrelated = await requestorBrowser.PostFormAsync(page, decide, ("decision", "Approve"));
        var noToken = await approverBrowser.PostAsync(decide, new FormUrlEncodedContent([KeyValuePair.Create("decision", "Approve")]), Ct);

        (await own.Content.ReadAsStringAsync(Ct)).ShouldContain(WebSession.Encoded($"You asked for template {template.Name}; the people who decide on it must be others"));
        (await unrelated.Content.ReadAsStringAsync(Ct)).ShouldContain("you need one of these roles: ChangeApprover, SecurityReviewer, SecurityOfficer.");
        noToken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ReadAsync(template.Name)).Decisions.ShouldBeEmpty();

        (await approverBrowser.GetStringAsync(page, Ct)).ShouldContain("value=\"Approve\"");
        var approved = await approverBrowser.PostFormAsync(page, decide, ("decision", "Approve"), ("Comment", "Routine and well tested."));
        approved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var published = await ReadAsync(template.Name);
        published.Status.ShouldBe(TemplateStatus.Published);
        published.ExpiresAt.ShouldBe(published.ApprovedAt!.Value.AddMonths(ChangeTemplate.ValidityMonths));
        var decision = published.Decisions.ShouldHaveSingleItem();
        (decision.Approver.Id, decision.Round, decision.Comment).ShouldBe((approver.Id, 1, "Routine and well tested."));
        decision.Credential.ShouldNotBeNull().ShouldStartWith("session:");
        var after = await approverBrowser.GetStringAsync(page, Ct);
        after.ShouldContain($"Template {template.Name} is published: it makes Standard changes until {published.ExpiresAt:yyyy-MM-dd HH:mm} UTC.");
        after.ShouldContain("<span class=\"badge template-Published\">Published</span>");
        after.ShouldContain("1 of 1 approval given in round 1.");
        after.ShouldNotContain("value=\"Approve\"");
    }

    [Fact]
    public async Task A_standard_change_made_from_the_page_is_approved_at_once_and_a_refusal_is_shown_next_to_its_fields()
    {
        var (requestor, browser) = await S.SignedInAsync(Role.Requestor);
        var service = await S.ServiceAsync();
        var template = await PublishedAsync(await S.PersonAsync(Role.Requestor), service);
        var page = $"/templates/{template.Name}";
        var make = $"{page}?handler=MakeChange";
        const string Commit = "0123456789abcdef0123456789abcdef01234567";
        var start = Tomorrow;
        // A freeze of the template's service the day after: a window inside it is refused.
        var frozen = start.AddDays(1);
        await S.Admin.PostJsonAsync<FreezeWindowResponse>("/api/v1/freeze-windows",
            new CreateFreezeWindowRequest($"Freeze {Scenario.Unique()}", frozen, frozen.AddHours(4), [service], null));

        (await browser.GetStringAsync(page, Ct)).ShouldContain("name=\"Change.PlannedStart\"");
        var noWindow = await browser.PostFormAsync(page, make, ("Change.Commits", Commit));
        var inFreeze = await browser.PostFormAsync(page, make, ("Change.PlannedStart", WebSession.LocalInput(frozen.AddHours(1))),
            ("Change.PlannedEnd", WebSession.LocalInput(frozen.AddHours(2))), ("Change.Commits", Commit));

        var html = await noWindow.Content.ReadAsStringAsync(Ct);
        FieldError(html, "Change.PlannedStart").ShouldBe(MissingRequiredFields.FieldMessage);
        FieldError(html, "Change.PlannedEnd").ShouldBe(MissingRequiredFields.FieldMessage);
        html = await inFreeze.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("Not done:</strong> Inside a freeze window.");
        FieldError(html, "Change.PlannedStart").ShouldNotBeNull().ShouldStartWith("The window overlaps");
        FieldError(html, "Change.PlannedEnd").ShouldNotBeNull().ShouldStartWith("The window overlaps");
        html.ShouldContain(Commit);
        (await ReadAsync(template.Name)).Usage.ShouldBe(0);

        var made = await browser.PostFormAsync(page, make, ("Change.PlannedStart", WebSession.LocalInput(start)),
            ("Change.PlannedEnd", WebSession.LocalInput(start.AddHours(2))), ("Change.Commits", $" {Commit} dev@example.test \n"));

        made.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var location = made.Headers.Location!.OriginalString;
        location.ShouldStartWith("/changes/CR-");
        var number = location["/changes/".Length..];
        var change = await requestor.Client.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{number}");
        (change.Type, change.State, change.Template, change.Title).ShouldBe((ChangeType.Standard, ChangeState.Approved, template.Name, template.Title));
        (change.PlannedStart, change.PlannedEnd).ShouldBe((start, start.AddHours(2)));
        change.Commits.ShouldBe([new CommitDto(Commit, "dev@example.test")]);
        change.Requestor.Id.ShouldBe(requestor.Id);
        var changePage = await browser.GetStringAsync(made.Headers.Location, Ct);
        changePage.ShouldContain($"{number} is Approved: a Standard change from template {template.Name}.");
        changePage.ShouldContain($"<a href=\"/templates/{template.Name}\">{template.Name}</a>");
        (await ReadAsync(template.Name)).Usage.ShouldBe(1);
    }

    [Fact]
    public async Task An_expired_template_shows_expired_and_offers_its_author_re_approval_instead_of_the_standard_change_form()
    {
        var author = await S.PersonAsync(Role.Requestor);
        var template = await PublishedAsync(author);
        App.Time.Advance(template.ExpiresAt!.Value - Now + TimeSpan.FromMinutes(1));
        // Signed in after the clock moved on: a session from a year ago would have ended.
        var authorBrowser = await App.SignInAsync(author.Email, author.Password);
        var (_, requestorBrowser) = await S.SignedInAsync(Role.Requestor);
        var page = $"/templates/{template.Name}";

        var html = await authorBrowser.GetStringAsync(page, Ct);
        var someoneElse = await requestorBrowser.GetStringAsync(page, Ct);
        var forged = await requestorBrowser.PostFormAsync(page, $"{page}?handler=MakeChange", ("Change.PlannedStart", WebSession.LocalInput(Tomorrow)),
            ("Change.PlannedEnd", WebSession.LocalInput(Tomorrow.AddHours(1))), ("Change.Commits", "0123456789abcdef0123456789abcdef01234567"));

        html.ShouldContain("<span class=\"badge template-Expired\">Expired</span>");
        html.ShouldContain(">Submit for re-approval</button>");
        html.ShouldNotContain("name=\"Change.PlannedStart\"");
        html.ShouldContain(WebSession.Encoded($"You cannot make a Standard change from it: Template {template.Name}'s approval expired at"));
        someoneElse.ShouldNotContain(">Submit for re-approval</button>");
        someoneElse.ShouldNotContain("name=\"Change.PlannedStart\"");
        (await forged.Content.ReadAsStringAsync(Ct)).ShouldContain("Not done:</strong> The template has expired.");
        (await ReadAsync(template.Name)).Usage.ShouldBe(0);
        (await requestorBrowser.GetStringAsync($"{Catalog}?status=expired", Ct)).ShouldContain($">{template.Name}</a>");

        var resubmitted = await authorBrowser.PostFormAsync(page, $"{page}?handler=Submit");
        resubmitted.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await authorBrowser.GetStringAsync(page, Ct)).ShouldContain($"Template {template.Name} is submitted for re-approval");
        var again = await ReadAsync(template.Name);
        (again.Status, again.Round).ShouldBe((TemplateStatus.Submitted, 2));
        again.RequiredApprovals.ShouldAllBe(a => a.FilledBy == null);
    }

    [Fact]
    public async Task An_admin_hands_a_template_over_from_its_page_a_refusal_shows_next_to_the_field_and_others_see_no_form()
    {
        var author = await S.PersonAsync(Role.Requestor);
        var template = await PublishedAsync(author);
        var page = $"/templates/{template.Name}";
        var handOver = $"{page}?handler=HandOver";
        var successor = await S.PersonAsync(Role.Requestor);
        var implementer = await S.PersonAsync(Role.Implementer);
        var (_, otherBrowser) = await S.SignedInAsync(Role.Requestor);
        var adminBrowser = await App.SignInAsync(ChangeTrailApp.AdminEmail, ChangeTrailApp.AdminPassword);

        (await otherBrowser.GetStringAsync(page, Ct)).ShouldNotContain("?handler=HandOver");
        var forged = await otherBrowser.PostFormAsync(page, handOver, ("Author", successor.Id.ToString()));
        (await forged.Content.ReadAsStringAsync(Ct)).ShouldContain($"Only the requestor who wrote template {template.Name}, or an Admin, can hand it over.");

        var form = await adminBrowser.GetStringAsync(page, Ct);
        form.ShouldContain("?handler=HandOver");
        form.ShouldContain($"<option value=\"{successor.Id}\">");
        form.ShouldNotContain($"<option value=\"{author.Id}\">", customMessage: "it is theirs already");
        form.ShouldNotContain($"<option value=\"{implementer.Id}\">", customMessage: "not a requestor");

        var refused = await adminBrowser.PostFormAsync(page, handOver, ("Author", implementer.Id.ToString()));
        FieldError(await refused.Content.ReadAsStringAsync(Ct), "Author")!.ShouldContain("is not a requestor");
        (await ReadAsync(template.Name)).Author.Id.ShouldBe(author.Id);

        var handedOver = await adminBrowser.PostFormAsync(page, handOver, ("Author", successor.Id.ToString()));
        handedOver.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var shown = await adminBrowser.GetStringAsync(page, Ct);
        shown.ShouldContain($"Template {template.Name} is handed to");
        shown.ShouldContain("id=\"former-authors\"");
        (await ReadAsync(template.Name)).Author.Id.ShouldBe(successor.Id);
    }

    [Fact]
    public async Task A_retirement_needs_a_reason_next_to_its_field_and_only_those_the_rules_allow_see_the_form()
    {
        var author = await S.PersonAsync(Role.Requestor);
        var authorBrowser = await App.SignInAsync(author.Email, author.Password);
        var template = await PublishedAsync(author);
        var page = $"/templates/{template.Name}";
        var retire = $"{page}?handler=Retire";
        var (_, otherBrowser) = await S.SignedInAsync(Role.Requestor);

        (await otherBrowser.GetStringAsync(page, Ct)).ShouldNotContain("?handler=Retire");
        var forged = await otherBrowser.PostFormAsync(page, retire, ("Reason", "Not mine, but still."));
        (await forged.Content.ReadAsStringAsync(Ct)).ShouldContain($"To retire template {template.Name} you need one of these roles: ChangeApprover, Admin.");
        (await authorBrowser.GetStringAsync(page, Ct)).ShouldContain("?handler=Retire");

        var blank = await authorBrowser.PostFormAsync(page, retire, ("Reason", " "));
        FieldError(await blank.Content.ReadAsStringAsync(Ct), "Reason").ShouldBe("This field is required.");
        (await ReadAsync(template.Name)).Status.ShouldBe(TemplateStatus.Published);

        var retired = await authorBrowser.PostFormAsync(page, retire, ("Reason", "Replaced by the image pipeline."));
        retired.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var shown = await authorBrowser.GetStringAsync(page, Ct);
        shown.ShouldContain($"Template {template.Name} is retired: it makes no more Standard changes.");
        shown.ShouldContain("Replaced by the image pipeline.");
        shown.ShouldNotContain("?handler=Retire");
        shown.ShouldNotContain("name=\"Change.PlannedStart\"");
        var after = await ReadAsync(template.Name);
        (after.Status, after.RetirementReason, after.RetiredBy?.Id).ShouldBe((TemplateStatus.Retired, "Replaced by the image pipeline.", author.Id));
    }

    [Fact]
    public async Task The_catalog_filters_by_status_says_an_unknown_status_in_words_and_an_unknown_template_is_404()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var draft = await WrittenAsync(requestor);
        var published = await PublishedAsync(requestor);
        var browser = await App.SignInAsync(requestor.Email, requestor.Password);

        var onlyPublished = await browser.GetStringAsync($"{Catalog}?status=published", Ct);
        var unknown = await browser.GetStringAsync($"{Catalog}?status=pending", Ct);
        var missing = await browser.GetAsync("/templates/no-such-template", Ct);
        var anonymous = await App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync(Catalog, Ct);

        onlyPublished.ShouldContain($">{published.Name}</a>");
        onlyPublished.ShouldNotContain($">{draft.Name}</a>");
        FieldError(unknown, "Status").ShouldBe("One of draft, submitted, published, expired, rejected, retired.");
        unknown.ShouldNotContain("id=\"templates\"");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        anonymous.Headers.Location!.AbsolutePath.ShouldBe("/login");
    }
}

public sealed class TemplatePageTests_Sqlite(SqliteApp app) : TemplatePageTests(app), IClassFixture<SqliteApp>;

public sealed class TemplatePageTests_Postgres(PostgresApp app) : TemplatePageTests(app), IClassFixture<PostgresApp>;
