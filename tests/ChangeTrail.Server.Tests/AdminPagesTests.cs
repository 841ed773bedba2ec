using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>The admin pages through the real pipeline: a signed-in browser session, antiforgery tokens, the forms as a browser posts them.</summary>
public sealed partial class AdminPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string AdminEmail = "admin@example.test";
    private const string AdminPassword = "a long enough password";

    [Fact]
    public async Task A_signed_in_person_without_the_admin_role_is_refused_the_users_page()
    {
        var email = $"requestor-{Scenario.Unique()}@example.test";
        await app.AddPersonAsync(email, "Rita Requestor", [Role.Requestor], "another long password");
        var browser = await SignInAsync(email, "another long password");

        var response = await browser.GetAsync("/admin/users", Ct);

        if (response.StatusCode != HttpStatusCode.Forbidden)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            new Uri(browser.BaseAddress!, response.Headers.Location!).AbsolutePath.ShouldBe("/denied");
        }
        (await browser.GetAsync("/admin/services", Ct)).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Adding_a_user_through_the_form_creates_them_with_their_roles()
    {
        var browser = await SignInAsync(AdminEmail, AdminPassword);
        var email = $"new-{Scenario.Unique()}@example.test";

        var response = await PostFormAsync(browser, "/admin/users", "/admin/users?handler=Add",
            ("Form.Email", email), ("Form.DisplayName", "Nora New"), ("Form.Roles", "Requestor"), ("Form.Roles", "ChangeApprover"),
            ("Form.Password", ""));

        // Without a password, the admin gets the person's one-time invitation link, in this response only.
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var page = await response.Content.ReadAsStringAsync(Ct);
        page.ShouldContain("Nora New was added.");
        var link = InvitationShown().Match(page).Groups[1].Value;
        link.ShouldContain("/invitation?code=");
        (await browser.GetStringAsync("/admin/users", Ct)).ShouldNotContain(link);
        var users = await app.AsAdmin().GetJsonAsync<List<UserResponse>>("/api/v1/users");
        var created = users.Single(u => u.Email == email);
        created.DisplayName.ShouldBe("Nora New");
        created.Roles.ShouldBe([Role.Requestor, Role.ChangeApprover], ignoreOrder: true);

        // Nora follows it, chooses her password, and is signed in; the link then works no more.
        var nora = await app.AcceptInvitationAsync(link, "nora's own passphrase");
        (await nora.GetStringAsync("/changes", Ct)).ShouldContain("Nora New");
        var again = await app.CreateClient().GetStringAsync(new Uri(link).PathAndQuery, Ct);
        again.ShouldContain("This invitation link does not work");
        (await app.SignInAsync(email, "nora's own passphrase")).ShouldNotBeNull();
    }

    [GeneratedRegex(@"<code class=""token"" id=""invitation-link""[^>]*>([^<]+)</code>")]
    private static partial Regex InvitationShown();

    [Fact]
    public async Task A_refused_user_form_explains_each_field_and_keeps_what_was_typed()
    {
        var browser = await SignInAsync(AdminEmail, AdminPassword);

        var response = await PostFormAsync(browser, "/admin/users", "/admin/users?handler=Add",
            ("Form.Email", "not-an-email"), ("Form.DisplayName", ""), ("Form.Roles", "Auditor"), ("Form.Password", "short"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await response.Content.ReadAsStringAsync(Ct);
        page.ShouldContain("Not done:");
        FieldError(page, "Form.Email").ShouldBe("This is not an email address.");
        FieldError(page, "Form.DisplayName").ShouldBe("This field is required.");
        page.ShouldContain("value=\"not-an-email\"");
        page.ShouldMatch("""id="role-Auditor"[^>]*checked""");
    }

    [Fact]
    public async Task A_token_created_on_the_page_is_shown_once_and_works_against_the_api()
    {
        var email = $"tokened-{Scenario.Unique()}@example.test";
        var person = await app.AsAdmin().PostJsonAsync<CreatedResponse>("/api/v1/users",
            new CreateUserRequest(email, "Tom Token", [Role.Requestor], null));
        var browser = await SignInAsync(AdminEmail, AdminPassword);
        var page = $"/admin/users/{person.Id}";

        var response = await PostFormAsync(browser, page, $"{page}?handler=CreateToken",
            ("Form.Name", "laptop"), ("Form.Scopes", "changes:read"), ("Form.GateEnvironments", "production"), ("Form.ExpiresAt", ""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var html = await response.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("Copy this token now: it will not be shown again.");
        var token = TokenShown().Match(html).Groups[1].Value;
        token.ShouldStartWith("ctp_");

        var api = app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await api.GetAsync("/api/v1/changes", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var again = await browser.GetStringAsync(page, Ct);
        again.ShouldNotContain(token);
        again.ShouldContain(token[..12]); // the prefix, so people can tell their tokens apart
        again.ShouldContain("changes:read gate:production");
    }

    [Fact]
    public async Task On_another_persons_page_the_approving_scopes_are_disabled_and_a_forged_one_is_refused_in_words_with_nothing_created()
    {
        var email = $"approver-{Scenario.Unique()}@example.test";
        var id = await app.AddPersonAsync(email, "Ada Approver", [Role.ChangeApprover], "ada's own passphrase");
        var before = (await app.AsAdmin().GetJsonAsync<List<UserResponse>>("/api/v1/users")).Single(u => u.Id == id).Tokens.Count;
        var browser = await SignInAsync(AdminEmail, AdminPassword);
        var page = $"/admin/users/{id}";

        var html = await browser.GetStringAsync(page, Ct);
        html.ShouldMatch("""<input type="checkbox" id="scope-changes-approve"[^>]*\sdisabled="disabled"\s+aria-describedby="withheld-scopes">""");
        html.ShouldMatch("""<input type="checkbox" id="scope-findings-triage"[^>]*\sdisabled="disabled"\s""");
        Regex.IsMatch(html, """<input type="checkbox" id="scope-changes-read"[^>]*\sdisabled""").ShouldBeFalse();
        Text(html).ShouldContain("Only Ada Approver can give a token changes:approve or findings:triage: from their own My tokens page, or changetrail login.");
        Text(html).ShouldContain("Leave empty for the maximum lifetime");
        html.ShouldNotContain("never expires");

        // The form as a browser would never send it: the disabled box ticked anyway.
        var response = await PostFormAsync(browser, page, $"{page}?handler=CreateToken",
            ("Form.Name", "sneaky"), ("Form.Scopes", "changes:read"), ("Form.Scopes", "changes:approve"), ("Form.ExpiresAt", ""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await response.Content.ReadAsStringAsync(Ct);
        Text(refused).ShouldContain("Not done: Scope not delegable. changes:approve can only be held by a token its owner creates for themself");
        TokenShown().IsMatch(refused).ShouldBeFalse();
        var after = (await app.AsAdmin().GetJsonAsync<List<UserResponse>>("/api/v1/users")).Single(u => u.Id == id);
        after.Tokens.Count.ShouldBe(before);
        after.Tokens.ShouldNotContain(t => t.Name == "sneaky");
    }

    [Fact]
    public async Task The_token_list_says_who_made_each_token()
    {
        var email = $"maker-{Scenario.Unique()}@example.test";
        var id = await app.AddPersonAsync(email, "Mo Maker", [Role.Requestor], "mo's own passphrase");
        await app.AsAdmin().PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{id}/tokens", new CreateTokenRequest("from admin", [Scopes.ChangesRead], null));
        var browser = await SignInAsync(AdminEmail, AdminPassword);

        var html = await browser.GetStringAsync($"/admin/users/{id}", Ct);

        Text(Row(html, "first sign-in")).ShouldContain("Mo Maker (themself)");
        Text(Row(html, "from admin")).ShouldContain("changes:read you"); // the Admin looking made it
    }

    [Fact]
    public async Task A_new_invitation_link_replaces_the_old_one_and_is_offered_only_until_the_person_chose_a_password()
    {
        var email = $"invited-{Scenario.Unique()}@example.test";
        var created = await app.AsAdmin().PostJsonAsync<CreatedUserResponse>("/api/v1/users",
            new CreateUserRequest(email, "Ivy Invited", [Role.Requestor], null));
        var first = created.InvitationUrl!;
        var browser = await SignInAsync(AdminEmail, AdminPassword);
        var page = $"/admin/users/{created.Id}";
        Row(await browser.GetStringAsync("/admin/users", Ct), "Ivy Invited").ShouldContain("""<span class="badge account-Invited">Invited</span>""");
        Text(await browser.GetStringAsync(page, Ct)).ShouldContain("Ivy Invited has not chosen a password yet. Their invitation link works until");

        var response = await PostFormAsync(browser, page, $"{page}?handler=Invitation");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var second = InvitationShown().Match(await response.Content.ReadAsStringAsync(Ct)).Groups[1].Value;
        second.ShouldContain("/invitation?code=");
        second.ShouldNotBe(first);
        (await browser.GetStringAsync(page, Ct)).ShouldNotContain(second);
        var anonymous = app.CreateClient();
        (await anonymous.GetStringAsync(new Uri(first).PathAndQuery, Ct)).ShouldContain("This invitation link does not work");

        var ivy = await app.AcceptInvitationAsync(second, "ivy's own passphrase");
        (await ivy.GetStringAsync("/changes", Ct)).ShouldContain("Ivy Invited");

        // Now that Ivy has a password of her own, an Admin cannot replace it with an invitation, even with a forged form.
        var after = await browser.GetStringAsync(page, Ct);
        after.ShouldNotContain("New invitation link");
        after.ShouldContain("""<span class="badge account-Active">Active</span>""");
        var forged = await PostFormAsync(browser, page, $"{page}?handler=Invitation");
        Text(await forged.Content.ReadAsStringAsync(Ct)).ShouldContain("Not done: Already has a password of their own.");
    }

    [Fact]
    public async Task A_person_with_a_temporary_password_is_listed_as_such_and_can_be_sent_an_invitation_instead()
    {
        var email = $"temporary-{Scenario.Unique()}@example.test";
        var created = await app.AsAdmin().PostJsonAsync<CreatedUserResponse>("/api/v1/users",
            new CreateUserRequest(email, "Tim Temporary", [Role.Requestor], Scenario.TemporaryPassword));
        var browser = await SignInAsync(AdminEmail, AdminPassword);
        var page = $"/admin/users/{created.Id}";

        Row(await browser.GetStringAsync("/admin/users", Ct), "Tim Temporary")
            .ShouldContain("""<span class="badge account-Temporary">Temporary password</span>""");
        var response = await PostFormAsync(browser, page, $"{page}?handler=Invitation");

        var link = InvitationShown().Match(await response.Content.ReadAsStringAsync(Ct)).Groups[1].Value;
        await app.AcceptInvitationAsync(link, "tim's own passphrase");
        (await app.SignInAsync(email, "tim's own passphrase")).ShouldNotBeNull();
        var users = await app.AsAdmin().GetJsonAsync<List<UserResponse>>("/api/v1/users");
        users.Single(u => u.Id == created.Id).Password.ShouldBe(PasswordState.Own);
    }

    /// <summary>The table row whose header cell is <paramref name="name"/> (a link, or text).</summary>
    private static string Row(string html, string name) =>
        Regex.Match(html, $"""(?s)<tr>\s*<th scope="row">(?:<a [^>]*>)?{Regex.Escape(WebUtility.HtmlEncode(name))}(?:</a>)?</th>.*?</tr>""").Value
            is { Length: > 0 } row ? row : throw new Xunit.Sdk.XunitException($"No row for {name}");

    /// <summary>The page's text as a person reads it: tags dropped, entities decoded, white space collapsed.</summary>
    private static string Text(string html) =>
        Regex.Replace(WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", "")), @"\s+", " ");

    [Fact]
    public async Task A_revoked_token_stops_working()
    {
        var email = $"revoked-{Scenario.Unique()}@example.test";
        var person = await app.AsAdmin().PostJsonAsync<CreatedResponse>("/api/v1/users",
            new CreateUserRequest(email, "Rob Revoked", [Role.Requestor], null));
        var token = await app.AsAdmin().PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens",
            new CreateTokenRequest("ci", [Scopes.ChangesRead], null));
        var browser = await SignInAsync(AdminEmail, AdminPassword);
        var page = $"/admin/users/{person.Id}";

        var response = await PostFormAsync(browser, page, $"{page}?tokenId={token.Id}&handler=Revoke");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await app.As(token.Token).GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await browser.GetStringAsync(page, Ct)).ShouldContain("is revoked: it stopped working at once.");
    }

    [Fact]
    public async Task A_service_with_regulated_data_is_listed_with_its_badge_and_production_environment()
    {
        var browser = await SignInAsync(AdminEmail, AdminPassword);
        var name = $"payments-{Scenario.Unique()}";

        var response = await PostFormAsync(browser, "/admin/services", "/admin/services?handler=Add",
            ("Form.Name", name), ("Form.Repository", "https://git.example.test/payments"),
            ("Form.RegulatedData", "true"), ("Form.RegulatedData", "false"), ("Form.SecurityControl", "false"),
            ("Form.NonProductionEnvironments", "staging, qa"), ("Form.ProductionEnvironments", "production"));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var html = await browser.GetStringAsync("/admin/services", Ct);
        var row = Regex.Match(html, $"""<tr>\s*<th scope="row">{name}</th>(.*?)</tr>""", RegexOptions.Singleline);
        row.Success.ShouldBeTrue();
        row.Groups[1].Value.ShouldContain(">Regulated data</span>");
        row.Groups[1].Value.ShouldNotContain("Security control");
        row.Groups[1].Value.ShouldContain("staging, qa, production (production)");
        var service = await app.AsAdmin().GetJsonAsync<ServiceResponse>($"/api/v1/services/{name}");
        service.RegulatedData.ShouldBeTrue();
        service.Environments.ShouldContain(new EnvironmentDto("production", true));
    }

    [Fact]
    public async Task A_service_account_added_on_the_page_gets_a_token_without_approve_scope()
    {
        var browser = await SignInAsync(AdminEmail, AdminPassword);
        var name = $"pipeline-{Scenario.Unique()}";

        var added = await PostFormAsync(browser, "/admin/service-accounts", "/admin/service-accounts?handler=Add",
            ("Form.Name", name), ("Form.Roles", "Implementer"));

        added.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var page = added.Headers.Location!.OriginalString;
        page.ShouldStartWith("/admin/users/");
        var refused = await PostFormAsync(browser, page, $"{page}?handler=CreateToken",
            ("Form.Name", "ci"), ("Form.Scopes", "changes:approve"));
        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        FieldError(await refused.Content.ReadAsStringAsync(Ct), "Form.Scopes").ShouldBe("A service account cannot hold the 'changes:approve' scope.");

        var created = await PostFormAsync(browser, page, $"{page}?handler=CreateToken",
            ("Form.Name", "ci"), ("Form.Scopes", "deployments:write"));
        TokenShown().IsMatch(await created.Content.ReadAsStringAsync(Ct)).ShouldBeTrue();
        (await browser.GetStringAsync("/admin/service-accounts", Ct)).ShouldContain(name);
    }

    [Fact]
    public async Task A_user_name_with_markup_is_rendered_encoded()
    {
        var browser = await SignInAsync(AdminEmail, AdminPassword);
        var email = $"mallory-{Scenario.Unique()}@example.test";

        await PostFormAsync(browser, "/admin/users", "/admin/users?handler=Add",
            ("Form.Email", email), ("Form.DisplayName", "Mallory <script>alert(1)</script>"));

        var html = await browser.GetStringAsync("/admin/users", Ct);
        html.ShouldContain("Mallory &lt;script&gt;alert(1)&lt;/script&gt;");
        html.ShouldNotContain("<script>alert(1)");
    }

    [Fact]
    public async Task The_admin_cannot_deactivate_themself_and_can_deactivate_someone_else()
    {
        var email = $"leaver-{Scenario.Unique()}@example.test";
        var leaver = await app.AsAdmin().PostJsonAsync<CreatedResponse>("/api/v1/users",
            new CreateUserRequest(email, "Lee Leaver", [Role.Requestor], null));
        var browser = await SignInAsync(AdminEmail, AdminPassword);

        var list = await browser.GetStringAsync("/admin/users", Ct);
        list.ShouldNotContain("aria-label=\"Deactivate First Admin\"");
        list.ShouldContain("aria-label=\"Deactivate Lee Leaver\"");

        var response = await PostFormAsync(browser, "/admin/users", $"/admin/users?handler=Deactivate&id={leaver.Id}");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var users = await app.AsAdmin().GetJsonAsync<List<UserResponse>>("/api/v1/users");
        users.Single(u => u.Id == leaver.Id).Active.ShouldBeFalse();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Roles_are_changed_on_the_identity_page_and_the_person_must_sign_in_again()
    {
        var email = $"roles-{Scenario.Unique()}@example.test";
        var id = await app.AddPersonAsync(email, "Robin Roles", [Role.Requestor], "robin password 123");
        var robin = await SignInAsync(email, "robin password 123");
        (await robin.GetAsync("/changes", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var admin = await SignInAsync(AdminEmail, AdminPassword);
        var saved = await PostFormAsync(admin, $"/admin/users/{id}", $"/admin/users/{id}?handler=Roles",
            ("roles", nameof(Role.Requestor)), ("roles", nameof(Role.CabMember)));
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var users = await app.AsAdmin().GetJsonAsync<List<UserResponse>>("/api/v1/users");
        users.Single(u => u.Id == id).Roles.ShouldBe([Role.Requestor, Role.CabMember]);
        var after = await robin.GetAsync("/changes", Ct);
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the old session ends with the role change");
        after.Headers.Location!.AbsolutePath.ShouldBe("/login");
    }

    private Task<HttpClient> SignInAsync(string email, string password) => app.SignInAsync(email, password);

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string page, string action, params (string Name, string Value)[] fields) =>
        browser.PostFormAsync(page, action, fields);

    private static string FieldError(string html, string field) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"""<span class="field-error[^"]*" data-valmsg-for="{Regex.Escape(field)}"[^>]*>([^<]*)</span>""").Groups[1].Value);

    [GeneratedRegex("""class="token"[^>]*>(ctp_[A-Za-z0-9_-]+)<""")]
    private static partial Regex TokenShown();
}
