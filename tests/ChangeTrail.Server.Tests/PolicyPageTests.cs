using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>What the policy pages' tests share: people signed in with a browser's cookies, the policy through the API, and reading a page's HTML.</summary>
public abstract class PolicyPageTestBase(ChangeTrailApp app) : ProviderTests(app)
{
    protected const string PolicyPage = "/policy";

    protected DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    protected static string Encoded(string text) => HtmlEncoder.Default.Encode(text);

    protected async Task<(Person Person, HttpClient Browser)> SignedInAsync(params Role[] roles)
    {
        var person = await S.PersonAsync(roles);
        return (person, await App.SignInAsync(person.Email, person.Password));
    }

    protected Task<PolicyResponse> PolicyAsync() => S.Admin.GetJsonAsync<PolicyResponse>("/api/v1/policy");

    protected async Task<PolicyVersionResponse> ProposeAsync(string text, string summary = "Clarify 3.4.") =>
        await ApiClient.ReadAsync<PolicyVersionResponse>(await S.Admin.PostAsync("/api/v1/policy/versions", new ProposePolicyVersionRequest(text, summary)));

    protected static async Task<PolicyVersionResponse> DecideAsync(Person who, string version) =>
        await ApiClient.ReadAsync<PolicyVersionResponse>(await who.Client.PostAsync($"/api/v1/policy/versions/{version}/approvals",
            new DecisionRequest(ApprovalDecision.Approve, "Read in full.")));

    /// <summary>A version proposed by the Admin and approved by a Head of Engineering and a Security Officer: in force from now.</summary>
    protected async Task<PolicyVersionResponse> InForceAsync(string text)
    {
        var proposed = await ProposeAsync(text);
        await DecideAsync(await S.PersonAsync(Role.HeadOfEngineering), proposed.Number);
        return await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), proposed.Number);
    }

    /// <summary>The error shown next to a field, by the field's form name; null when none is.</summary>
    protected static string? FieldError(string html, string field) =>
        new Regex($"<span [^>]*data-valmsg-for=\"{Regex.Escape(field)}\"[^>]*>([^<]+)</span>").Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : null;

    /// <summary>A textarea by its form name: its opening tag and its text.</summary>
    protected static (string Tag, string Text) TextArea(string html, string name)
    {
        var match = Regex.Match(html, $"(<textarea [^>]*name=\"{Regex.Escape(name)}\"[^>]*>)([^<]*)</textarea>");
        match.Success.ShouldBeTrue($"no textarea {name}");
        return (match.Groups[1].Value, WebUtility.HtmlDecode(match.Groups[2].Value).Trim());
    }

    /// <summary>The review status banner of /policy: its class attribute and its text, tags stripped.</summary>
    protected static (string Class, string Text) Banner(string html)
    {
        var match = Regex.Match(html, "<div class=\"([^\"]*)\" id=\"review-status\">(.*?)</div>", RegexOptions.Singleline);
        match.Success.ShouldBeTrue("no review status banner");
        return (match.Groups[1].Value, Squeezed(match.Groups[2].Value));
    }

    /// <summary>The dashboard's policy review reminder, tags stripped; null when it shows none.</summary>
    protected static string? Reminder(string html) =>
        Regex.Match(html, "<p class=\"[^\"]*\" id=\"policy-review-reminder\">(.*?)</p>", RegexOptions.Singleline) is { Success: true } match
            ? Squeezed(match.Groups[1].Value)
            : null;

    /// <summary>The rendered policy text on a page: the HTML inside its &lt;article&gt;.</summary>
    protected static string Article(string html)
    {
        var match = Regex.Match(html, "<article class=\"policy-text\"[^>]*>(.*?)</article>", RegexOptions.Singleline);
        match.Success.ShouldBeTrue("no rendered policy on the page");
        return match.Groups[1].Value;
    }

    private static string Squeezed(string html) =>
        WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(html, "<[^>]+>", ""), @"\s+", " ")).Trim();
}

/// <summary>
/// The policy's pages (policy 6) through the real pipeline with a signed-in browser's cookies: the proposal and review forms
/// refusing what the rules refuse next to each field, the decisions going through the API's rules and authorization whatever a
/// forged post says, the text rendered without anything that could run, and the review banner and the dashboard's reminder
/// following the server's clock. The class's tests share one database and so one policy; each puts in force what it needs.
/// The browser test (PolicyPageTests there) covers what people see and click.
/// </summary>
public abstract class PolicyPageTests(ChangeTrailApp app) : PolicyPageTestBase(app)
{
    [Fact]
    public async Task An_admin_proposes_a_version_through_the_form_and_is_taken_to_its_page_where_they_cannot_decide()
    {
        var (admin, browser) = await SignedInAsync(Role.Admin);
        var summary = $"First written version {Scenario.Unique()}";

        var response = await browser.PostFormAsync(PolicyPage, $"{PolicyPage}?handler=Propose",
            ("Proposal.Text", "# Policy\n\nEvery change is **approved** first."), ("Proposal.Summary", summary));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var version = (await PolicyAsync()).Versions.Single(v => v.Summary == summary);
        response.Headers.Location!.OriginalString.ShouldBe($"/policy/versions/{version.Number}");
        (version.State, version.ProposedBy.Id).ShouldBe((PolicyVersionState.Proposed, admin.Id));
        var page = await browser.GetStringAsync(response.Headers.Location, Ct);
        page.ShouldContain($"Policy {version.Number} was proposed. It comes into force once a Head of Engineering and a Security Officer");
        page.ShouldContain("0 of 2 sign-offs given.");
        Article(page).ShouldContain("<strong>approved</strong>");
        page.ShouldContain("# Policy", Case.Sensitive, "the Markdown source is on the page");
        page.ShouldContain(Encoded($"You cannot decide on this version: You asked for policy {version.Number}"));
        page.ShouldNotContain("value=\"Approve\"");
        (await browser.GetStringAsync(PolicyPage, Ct)).ShouldContain($"<a href=\"/policy/versions/{version.Number}\">{version.Number}</a>");
    }

    [Fact]
    public async Task A_proposal_or_a_review_missing_its_fields_is_refused_next_to_each_field_keeping_what_was_typed_and_nothing_is_stored()
    {
        var inForce = await InForceAsync($"# Policy\n\nReviewed yearly {Scenario.Unique()}.");
        var (_, browser) = await SignedInAsync(Role.HeadOfEngineering);
        var before = await PolicyAsync();
        var summary = $"No text {Scenario.Unique()}";

        var proposal = await browser.PostFormAsync(PolicyPage, $"{PolicyPage}?handler=Propose", ("Proposal.Text", " "), ("Proposal.Summary", summary));
        var review = await browser.PostFormAsync(PolicyPage, $"{PolicyPage}?handler=Review", ("Review.Outcome", ""), ("Review.Notes", ""));
        var forgedOutcome = await browser.PostFormAsync(PolicyPage, $"{PolicyPage}?handler=Review", ("Review.Outcome", "1"), ("Review.Notes", "Read."));

        proposal.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await proposal.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("Not done:");
        FieldError(html, "Proposal.Text").ShouldBe("This field is required.");
        FieldError(html, "Proposal.Summary").ShouldBeNull();
        TextArea(html, "Proposal.Text").Tag.ShouldContain("input-validation-error");
        TextArea(html, "Proposal.Summary").Text.ShouldBe(summary);
        var refusedReview = await review.Content.ReadAsStringAsync(Ct);
        FieldError(refusedReview, "Review.Outcome").ShouldNotBeNull().ShouldStartWith("Say whether the policy stays unchanged or needs changes");
        FieldError(refusedReview, "Review.Notes").ShouldBe("This field is required.");
        TextArea(refusedReview, "Proposal.Text").Text.ShouldBe(inForce.Text, "the proposal form still starts from the text in force");
        // A number is no outcome, though Enum.TryParse would take it.
        var forged = await forgedOutcome.Content.ReadAsStringAsync(Ct);
        FieldError(forged, "Review.Outcome").ShouldNotBeNull();
        TextArea(forged, "Review.Notes").Text.ShouldBe("Read.");

        var after = await PolicyAsync();
        after.Versions.Count.ShouldBe(before.Versions.Count);
        after.Reviews.Count.ShouldBe(before.Reviews.Count);
    }

    [Fact]
    public async Task People_without_the_roles_see_neither_form_and_their_forged_posts_are_refused_in_words()
    {
        await InForceAsync("# Policy\n\nOwned by engineering and security.");
        var (_, requestor) = await SignedInAsync(Role.Requestor, Role.ChangeApprover);
        var (_, admin) = await SignedInAsync(Role.Admin);
        var before = await PolicyAsync();
        var summary = $"Forged {Scenario.Unique()}";

        var page = await requestor.GetStringAsync(PolicyPage, Ct);
        var propose = await requestor.PostFormAsync(PolicyPage, $"{PolicyPage}?handler=Propose", ("Proposal.Text", "# Mine"), ("Proposal.Summary", summary));
        var review = await requestor.PostFormAsync(PolicyPage, $"{PolicyPage}?handler=Review", ("Review.Outcome", "unchanged"), ("Review.Notes", "Fine."));
        var adminReview = await admin.PostFormAsync(PolicyPage, $"{PolicyPage}?handler=Review", ("Review.Outcome", "unchanged"), ("Review.Notes", "Fine."));

        page.ShouldContain("<h1>Change Management Policy</h1>");
        page.ShouldNotContain("name=\"Proposal.Text\"");
        page.ShouldNotContain("name=\"Review.Notes\"");
        page.ShouldNotContain("You cannot record a review", Case.Sensitive, "only the policy's owners are told why they cannot review");
        (await propose.Content.ReadAsStringAsync(Ct)).ShouldContain("you need one of these roles: HeadOfEngineering, SecurityOfficer, Admin.");
        (await review.Content.ReadAsStringAsync(Ct)).ShouldContain("you need one of these roles: HeadOfEngineering, SecurityOfficer.");
        // An Admin sets the policy up, but reviewing it is its owners' task.
        var adminPage = await admin.GetStringAsync(PolicyPage, Ct);
        adminPage.ShouldContain("name=\"Proposal.Text\"");
        adminPage.ShouldNotContain("name=\"Review.Notes\"");
        (await adminReview.Content.ReadAsStringAsync(Ct)).ShouldContain("you need one of these roles: HeadOfEngineering, SecurityOfficer.");

        var after = await PolicyAsync();
        after.Versions.ShouldNotContain(v => v.Summary == summary);
        after.Reviews.Count.ShouldBe(before.Reviews.Count);
        (await requestor.GetAsync("/policy/versions/v999999", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var anonymous = await App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync(PolicyPage, Ct);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        anonymous.Headers.Location!.AbsolutePath.ShouldBe("/login");
    }

    [Fact]
    public async Task Decisions_from_the_version_page_go_through_the_apis_rules_whatever_a_forged_post_says()
    {
        // Its proposer holds both roles, yet never decides on their own version; a change approver holds neither.
        var proposer = await S.PersonAsync(Role.HeadOfEngineering, Role.SecurityOfficer);
        var proposerBrowser = await App.SignInAsync(proposer.Email, proposer.Password);
        var proposed = await ApiClient.ReadAsync<PolicyVersionResponse>(await proposer.Client.PostAsync("/api/v1/policy/versions",
            new ProposePolicyVersionRequest("# Policy\n\nTwo sign-offs.", $"Decided on the page {Scenario.Unique()}")));
        var page = $"/policy/versions/{proposed.Number}";
        var decide = $"{page}?handler=Decide";
        var (_, approverBrowser) = await SignedInAsync(Role.ChangeApprover, Role.CabMember);
        var (head, headBrowser) = await SignedInAsync(Role.HeadOfEngineering);
        var (officer, officerBrowser) = await SignedInAsync(Role.SecurityOfficer);

        var own = await proposerBrowser.PostFormAsync(page, decide, ("decision", "Approve"), ("Comment", "Mine."));
        var unrelated = await approverBrowser.PostFormAsync(page, decide, ("decision", "Approve"));
        var noToken = await headBrowser.PostAsync(decide, new FormUrlEncodedContent([KeyValuePair.Create("decision", "Approve")]), Ct);
        var noDecision = await headBrowser.PostFormAsync(page, decide, ("Comment", "Which way?"));

        (await own.Content.ReadAsStringAsync(Ct)).ShouldContain(Encoded($"You asked for policy {proposed.Number}; the people who decide on it must be others"));
        (await unrelated.Content.ReadAsStringAsync(Ct)).ShouldContain("you need one of these roles: HeadOfEngineering, SecurityOfficer.");
        (await approverBrowser.GetStringAsync(page, Ct)).ShouldNotContain("value=\"Approve\"");
        noToken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var undecided = await noDecision.Content.ReadAsStringAsync(Ct);
        undecided.ShouldContain("Say &#x27;approve&#x27; or &#x27;reject&#x27;.");
        TextArea(undecided, "Comment").Text.ShouldBe("Which way?");
        (await S.Admin.GetJsonAsync<PolicyVersionResponse>($"/api/v1/policy/versions/{proposed.Number}")).Decisions.ShouldBeEmpty();

        (await headBrowser.GetStringAsync(page, Ct)).ShouldContain("value=\"Approve\"");
        var first = await headBrowser.PostFormAsync(page, decide, ("decision", "Approve"), ("Comment", "Read it through."));
        first.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        first.Headers.Location!.OriginalString.ShouldBe(page);
        var shown = await headBrowser.GetStringAsync(page, Ct);
        shown.ShouldContain($"Your approval of policy {proposed.Number} is recorded; it still awaits the Security Officer.");
        shown.ShouldContain("1 of 2 sign-offs given.");
        shown.ShouldContain(Encoded("You cannot decide on this version: You have already recorded your decision"));
        var signedOff = await S.Admin.GetJsonAsync<PolicyVersionResponse>($"/api/v1/policy/versions/{proposed.Number}");
        var decision = signedOff.Decisions.ShouldHaveSingleItem();
        (decision.Approver.Id, decision.Comment).ShouldBe((head.Id, "Read it through."));
        decision.Credential.ShouldNotBeNull().ShouldStartWith("session:");

        var second = await officerBrowser.PostFormAsync(page, decide, ("decision", "Approve"));
        second.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var inForce = await officerBrowser.GetStringAsync(page, Ct);
        inForce.ShouldContain($"Policy {proposed.Number} is approved and in force from now on");
        inForce.ShouldNotContain("value=\"Approve\"");
        inForce.ShouldNotContain("You cannot decide", Case.Sensitive, "once in force nobody decides: the state says so");
        var policy = await PolicyAsync();
        policy.InForce!.Number.ShouldBe(proposed.Number);
        policy.InForce.Decisions.Select(d => d.Approver.Id).ShouldBe([head.Id, officer.Id]);
        (await officerBrowser.GetStringAsync(PolicyPage, Ct)).ShouldContain($"<a href=\"/policy/versions/{proposed.Number}\">Version {proposed.Number}</a>, in force since");
    }

    [Fact]
    public async Task A_rejection_from_the_page_ends_the_proposal()
    {
        var proposed = await ProposeAsync("# Policy\n\nNo tests needed.", $"Drop testing {Scenario.Unique()}");
        var page = $"/policy/versions/{proposed.Number}";
        var (_, officer) = await SignedInAsync(Role.SecurityOfficer);

        var rejected = await officer.PostFormAsync(page, $"{page}?handler=Decide", ("decision", "Reject"), ("Comment", "Testing stays."));

        rejected.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var shown = await officer.GetStringAsync(page, Ct);
        shown.ShouldContain($"Policy {proposed.Number} is rejected: it never comes into force.");
        shown.ShouldContain("<span class=\"badge policy-Rejected\">Rejected</span>");
        (await S.Admin.GetJsonAsync<PolicyVersionResponse>($"/api/v1/policy/versions/{proposed.Number}")).State.ShouldBe(PolicyVersionState.Rejected);
    }

    [Fact]
    public async Task The_rendered_policy_runs_no_script_from_a_malicious_text()
    {
        const string Malicious = "# Policy\n\nHello <script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n" +
                                 "<iframe src=\"https://evil.example\"></iframe>";
        var version = await InForceAsync(Malicious);
        var browser = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);

        foreach (var path in new[] { $"/policy/versions/{version.Number}", PolicyPage })
        {
            var html = await browser.GetStringAsync(path, Ct);
            var article = Article(html);
            article.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;", Case.Sensitive, $"the tag shows as text on {path}");
            foreach (var dangerous in new[] { "<script", "<img", "<iframe", "javascript:" })
                article.ShouldNotContain(dangerous, Case.Insensitive, $"{dangerous} rendered on {path}");
            // "onerror" is in the text, as text; no element carries an event handler.
            Regex.IsMatch(article, @"<[^>]*\son[a-z]+\s*=", RegexOptions.IgnoreCase).ShouldBeFalse($"an event handler rendered on {path}");
            // The page's only script is its own.
            Regex.Count(html, "<script", RegexOptions.IgnoreCase).ShouldBe(1, path);
            html.ShouldContain("<script src=\"/js/site.js");
        }
        // The Markdown source shows the text as written, as text.
        (await browser.GetStringAsync($"/policy/versions/{version.Number}", Ct)).ShouldContain("Hello &lt;script&gt;alert(1)&lt;/script&gt;");
    }

    [Fact]
    public async Task The_review_banner_and_the_dashboard_reminder_follow_the_clock_and_a_review_from_the_form_restarts_the_cycle()
    {
        var version = await InForceAsync("# Policy\n\nReviewed yearly.");
        var due = (await PolicyAsync()).NextReviewDue!.Value;
        due.ShouldBe(version.DecidedAt!.Value.AddMonths(12));
        var dueText = due.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var admin = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);

        var current = Banner(await admin.GetStringAsync(PolicyPage, Ct));
        current.Class.ShouldContain("info");
        current.Text.ShouldStartWith($"Review due in {(int)Math.Ceiling((due - Now).TotalDays)} days, on {dueText} UTC.");
        Reminder(await admin.GetStringAsync("/", Ct)).ShouldBeNull("no reminder while the review is months away");

        // Ten days before: the reminder, here and on everyone's dashboard. Sessions last hours, so each moment signs in anew.
        App.Time.SetUtcNow(new DateTimeOffset(due.AddDays(-10), TimeSpan.Zero));
        var soon = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);
        var reminded = Banner(await soon.GetStringAsync(PolicyPage, Ct));
        reminded.Class.ShouldContain("warn");
        reminded.Text.ShouldStartWith($"Review due in 10 days, on {dueText} UTC.");
        Reminder(await soon.GetStringAsync("/", Ct)).ShouldBe($"Change Management Policy: Review due in 10 days, on {dueText} UTC. Review the policy");

        // Past the due date: overdue.
        App.Time.SetUtcNow(new DateTimeOffset(due.AddHours(1), TimeSpan.Zero));
        var (officer, late) = await SignedInAsync(Role.SecurityOfficer);
        var overdue = Banner(await late.GetStringAsync(PolicyPage, Ct));
        overdue.Class.ShouldContain("error");
        overdue.Text.ShouldStartWith($"Review overdue since {dueText} UTC.");
        overdue.Text.ShouldContain("Record a review");
        Reminder(await late.GetStringAsync("/", Ct)).ShouldStartWith($"Change Management Policy: Review overdue since {dueText} UTC.");
        (await PolicyAsync()).ReviewStatus.ShouldBe(PolicyReviewStatus.Overdue);

        // The Security Officer reviews it from the form: twelve months again, and no reminder.
        var reviewed = await late.PostFormAsync(PolicyPage, $"{PolicyPage}?handler=Review",
            ("Review.Outcome", "changesNeeded"), ("Review.Notes", "Section 3.4 should name the security suite."));
        reviewed.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        reviewed.Headers.Location!.OriginalString.ShouldBe(PolicyPage);
        var policy = await PolicyAsync();
        var review = policy.Reviews[0];
        (review.Reviewer.Id, review.Outcome, review.PolicyVersion).ShouldBe((officer.Id, PolicyReviewOutcome.ChangesNeeded, version.Number));
        policy.NextReviewDue.ShouldBe(review.ReviewedAt.AddMonths(12));
        var after = await late.GetStringAsync(PolicyPage, Ct);
        after.ShouldContain($"Your review of policy {version.Number} is recorded.");
        Banner(after).Class.ShouldContain("info");
        after.ShouldContain("Section 3.4 should name the security suite.");
        after.ShouldContain("<span class=\"badge review-ChangesNeeded\">Changes needed</span>");
        Reminder(await late.GetStringAsync("/", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task The_proposal_form_starts_from_the_text_in_force()
    {
        var version = await InForceAsync($"# Policy\n\nThe text in force {Scenario.Unique()}.");
        var (_, browser) = await SignedInAsync(Role.SecurityOfficer);

        var page = await browser.GetStringAsync(PolicyPage, Ct);

        TextArea(page, "Proposal.Text").Text.ShouldBe(version.Text);
        TextArea(page, "Proposal.Summary").Text.ShouldBeEmpty();
    }
}

/// <summary>The policy page of a server where no version is in force yet: a class of its own, so no other test has put one in force first.</summary>
public abstract class FirstPolicyPageTests(ChangeTrailApp app) : PolicyPageTestBase(app)
{
    [Fact]
    public async Task Before_any_version_is_in_force_the_page_says_so_and_its_owners_may_propose_but_not_review()
    {
        var (_, owner) = await SignedInAsync(Role.HeadOfEngineering);
        var (_, requestor) = await SignedInAsync(Role.Requestor);

        var page = await owner.GetStringAsync(PolicyPage, Ct);
        var forged = await owner.PostFormAsync(PolicyPage, $"{PolicyPage}?handler=Review", ("Review.Outcome", "unchanged"), ("Review.Notes", "Nothing to read."));

        var banner = Banner(page);
        banner.Class.ShouldContain("warn");
        banner.Text.ShouldBe("No policy in force yet. Propose one; it comes into force once a Head of Engineering and a Security Officer approve it.");
        page.ShouldContain("<a href=\"#propose-version\">Propose one</a>");
        TextArea(page, "Proposal.Text").Text.ShouldBeEmpty();
        page.ShouldNotContain("name=\"Review.Notes\"");
        page.ShouldContain("You cannot record a review: No version of the policy is in force yet");
        (await forged.Content.ReadAsStringAsync(Ct)).ShouldContain("Not done:</strong> No policy is in force.");
        Banner(await requestor.GetStringAsync(PolicyPage, Ct)).Text
            .ShouldBe("No policy in force yet. A Head of Engineering, a Security Officer or an Admin proposes one; a Head of Engineering and a Security Officer approve it.");
        Reminder(await owner.GetStringAsync("/", Ct)).ShouldBeNull("no policy, no review to remind of");
        (await PolicyAsync()).Reviews.ShouldBeEmpty();
    }
}

public sealed class PolicyPageTests_Sqlite(SqliteApp app) : PolicyPageTests(app), IClassFixture<SqliteApp>;

public sealed class PolicyPageTests_Postgres(PostgresApp app) : PolicyPageTests(app), IClassFixture<PostgresApp>;

public sealed class FirstPolicyPageTests_Sqlite(SqliteApp app) : FirstPolicyPageTests(app), IClassFixture<SqliteApp>;

public sealed class FirstPolicyPageTests_Postgres(PostgresApp app) : FirstPolicyPageTests(app), IClassFixture<PostgresApp>;
