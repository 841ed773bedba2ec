using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Issue 9, "Limits on every input": every member of every request body and every paging parameter has a documented maximum
/// (docs/api.md, "Limits"), a body over 1 MiB is 413, and nothing of a refused request is stored.
/// </summary>
public abstract partial class LimitsTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Changes = "/api/v1/changes";
    private const int OneMiB = 1024 * 1024;

    [Fact]
    public async Task A_change_with_20000_links_is_422_naming_links_and_stores_nothing()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var fields = S.CompleteChange(await S.ServiceAsync()) with
        {
            Links = Enumerable.Range(0, 20_000).Select(i => $"https://x.test/{i}").ToList(),
        };
        var before = await StoredAsync();

        var problem = await requestor.Client.PostAsync(Changes, fields).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");

        // One error for the list, not one per link.
        problem.Errors!.Keys.ShouldBe(["links"]);
        problem.Errors["links"].ShouldBe([$"At most {ChangeContent.MaxLinks} links."]);
        (await StoredAsync()).ShouldBe(before, "no change, no number, no ledger entry");
    }

    public static TheoryData<string> ChangeMembers =>
    [
        "title", "purpose", "scope", "impactAnalysis", "rollbackPlan", "testPlan", "testResults", "emergencyJustification",
        "links", "links[0]", "commits", "commits[0].sha", "commits[0].authorEmail", "services", "services[0]",
        "riskAnswers", "riskAnswers.downtime", "implementer",
    ];

    [Theory]
    [MemberData(nameof(ChangeMembers))]
    public async Task A_change_member_just_over_its_limit_is_422_naming_it_on_create_and_on_edit(string field)
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var service = await S.ServiceAsync();
        var draft = await requestor.CreateAsync(S.CompleteChange(service));
        var body = JsonSerializer.SerializeToNode(S.CompleteChange(service), ApiJson.Options)!.AsObject();
        var (member, value) = JustOverTheLimit(field);
        var patch = new JsonObject { [member] = value.DeepClone() };
        body[member] = value;
        var before = await StoredAsync();

        var created = await requestor.Client.SendRawAsync(HttpMethod.Post, Changes, body.ToJsonString())
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        var edited = await requestor.Client.SendRawAsync(HttpMethod.Patch, $"{Changes}/{draft.Number}", patch.ToJsonString(), "application/merge-patch+json")
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");

        created.Errors!.Keys.ShouldBe([field]);
        edited.Errors!.Keys.ShouldBe([field]);
        (await StoredAsync()).ShouldBe(before);
        (await requestor.GetAsync(draft.Number)).Version.ShouldBe(draft.Version);
    }

    /// <summary>The member of the create body to set, and a value one over the limit <paramref name="field"/>'s error names.</summary>
    private static (string Member, JsonNode Value) JustOverTheLimit(string field) => field switch
    {
        "title" => ("title", Text(ChangeContent.TitleMaxLength + 1)),
        "links" => ("links", Array(ChangeContent.MaxLinks + 1, i => $"https://x.test/{i}")),
        "links[0]" => ("links", Array(1, _ => Url(ChangeContent.LinkMaxLength + 1))),
        "commits" => ("commits", Array(ChangeContent.MaxCommits + 1, i => new JsonObject { ["sha"] = $"{i:x7}" })),
        "commits[0].sha" => ("commits", Array(1, _ => new JsonObject { ["sha"] = new string('a', CommitRef.ShaMaxLength + 1) })),
        "commits[0].authorEmail" => ("commits", Array(1, _ => new JsonObject
        {
            ["sha"] = "abcdef0",
            ["authorEmail"] = Email(CommitRef.AuthorEmailMaxLength + 1),
        })),
        "services" => ("services", Array(ChangeContent.MaxServices + 1, i => $"service-{i}")),
        "services[0]" => ("services", Array(1, _ => new string('s', Service.NameMaxLength + 1))),
        "riskAnswers" => ("riskAnswers", Answers(Scenario.LowRiskAnswers.Append(KeyValuePair.Create("extra", "none")))),
        "riskAnswers.downtime" => ("riskAnswers", Answers([KeyValuePair.Create("downtime", new string('o', Domain.Risk.RiskQuestionnaire.KeyMaxLength + 1))])),
        "implementer" => ("implementer", Email(Identities.EmailMaxLength + 1)),
        _ => (field, Text(ChangeContent.TextMaxLength + 1)),
    };

    [Fact]
    public async Task A_question_key_over_its_limit_is_refused_without_echoing_it_in_the_field_name()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var key = new string('k', Domain.Risk.RiskQuestionnaire.KeyMaxLength + 1);
        var problem = await requestor.Client.SendRawAsync(HttpMethod.Post, Changes, $$$"""{"type":"Normal","title":"t","riskAnswers":{"{{{key}}}":"x"}}""")
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.ShouldBe(["riskAnswers"]);
    }

    [Fact]
    public async Task A_change_exactly_at_its_limits_is_accepted()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var fields = S.CompleteChange(await S.ServiceAsync()) with
        {
            Title = new string('t', ChangeContent.TitleMaxLength),
            Purpose = new string('p', ChangeContent.TextMaxLength),
            Links = Enumerable.Range(0, ChangeContent.MaxLinks).Select(_ => Url(ChangeContent.LinkMaxLength)).ToList(),
            Commits = Enumerable.Range(0, ChangeContent.MaxCommits)
                .Select(i => new CommitDto($"{i:x64}", Email(CommitRef.AuthorEmailMaxLength))).ToList(),
        };

        var change = await requestor.CreateAsync(fields);

        change.Title.Length.ShouldBe(ChangeContent.TitleMaxLength);
        change.Links.Count.ShouldBe(ChangeContent.MaxLinks);
        change.Commits.Count.ShouldBe(ChangeContent.MaxCommits);
        change.MissingFields.ShouldBeEmpty();
    }

    [Fact]
    public async Task Lifecycle_texts_over_their_limits_are_422_naming_the_member_and_at_the_limit_accepted()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var before = await StoredAsync();
        await RefusedAsync(approver.TryAsync(change.Number, "approvals", new { decision = "approve", comment = Text(ChangeRequest.CommentMaxLength + 1) }), "comment");
        await RefusedAsync(requestor.TryAsync(change.Number, "submit", new { notes = Text(ChangeContent.TextMaxLength + 1) }), "notes");
        await RefusedAsync(requestor.TryAsync(change.Number, "cancel", new { reason = Text(ChangeContent.TextMaxLength + 1) }), "reason");
        await RefusedAsync(requestor.TryAsync(change.Number, "cancel", new { notes = Text(ChangeContent.TextMaxLength + 1) }), "notes");
        await RefusedAsync(App.AsAdmin().PostAsync($"{Changes}/{change.Number}/legal-hold",
            new LegalHoldRequest(Text(LegalHold.ReasonMaxLength + 1))), "reason");
        (await StoredAsync()).ShouldBe(before);
        (await requestor.GetAsync(change.Number)).Version.ShouldBe(change.Version);

        var approved = await approver.ApproveAsync(change.Number, new string('c', ChangeRequest.CommentMaxLength));
        approved.Approvals.Single().Comment!.Length.ShouldBe(ChangeRequest.CommentMaxLength);
        await requestor.ActAsync(change.Number, "start");
        await requestor.ActAsync(change.Number, "complete");
        await RefusedAsync(requestor.TryAsync(change.Number, "verify", new { outcome = "failed", notes = Text(ChangeContent.TextMaxLength + 1) }), "notes");
        var failed = await requestor.ActAsync(change.Number, "verify", new VerifyRequest(VerificationOutcome.Failed, new string('n', ChangeContent.TextMaxLength)));
        failed.VerificationNotes!.Length.ShouldBe(ChangeContent.TextMaxLength);
        await RefusedAsync(requestor.TryAsync(change.Number, "rollback", new { notes = Text(ChangeContent.TextMaxLength + 1) }), "notes");
        (await requestor.GetAsync(change.Number)).State.ShouldBe(ChangeState.Failed);
    }

    [Fact]
    public async Task A_post_implementation_review_over_its_limit_is_422_naming_notes()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var cab = await S.PersonAsync(Role.CabMember);
        var emergency = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync(), type: "Emergency") with
        {
            EmergencyJustification = "The payment API is down.",
        });
        await requestor.ActAsync(emergency.Number, "start");
        await requestor.ActAsync(emergency.Number, "complete");

        await RefusedAsync(cab.TryAsync(emergency.Number, "review",
            new { outcome = "successful", rootCause = "r", notes = Text(ChangeContent.TextMaxLength + 1) }), "notes");
        await RefusedAsync(cab.TryAsync(emergency.Number, "review",
            new { outcome = "successful", rootCause = Text(ChangeContent.TextMaxLength + 1) }), "rootCause");
        await RefusedAsync(cab.TryAsync(emergency.Number, "review",
            new { outcome = "successful", rootCause = "r", followUps = new[] { Text(ChangeRequest.FollowUpMaxLength + 1) } }), "followUps[0]");
        (await requestor.GetAsync(emergency.Number)).Review.ShouldBeNull();
    }

    [Fact]
    public async Task Service_and_setting_members_over_their_limits_are_422_naming_each()
    {
        var admin = App.AsAdmin();
        var before = await StoredAsync();
        CreateServiceRequest Service(string? name = null, string? repository = null, IReadOnlyList<EnvironmentDto>? environments = null) =>
            new(name ?? $"svc-{Scenario.Unique()}", repository, false, false, environments ?? [new EnvironmentDto("production", true)]);

        await RefusedAsync(admin.PostAsync("/api/v1/services", Service(name: new string('n', Domain.Services.Service.NameMaxLength + 1))), "name");
        await RefusedAsync(admin.PostAsync("/api/v1/services", Service(repository: Url(Domain.Services.Service.RepositoryMaxLength + 1))), "repository");
        await RefusedAsync(admin.PostAsync("/api/v1/services", Service(environments: Enumerable.Range(0, Domain.Services.Service.MaxEnvironments + 1)
            .Select(i => new EnvironmentDto($"env-{i}", false)).ToList())), "environments");
        await RefusedAsync(admin.PostAsync("/api/v1/services",
            Service(environments: [new EnvironmentDto(new string('e', Domain.Services.Service.NameMaxLength + 1), true)])), "environments[0].name");
        await RefusedAsync(admin.SendRawAsync(HttpMethod.Post, "/api/v1/services", """{"name":"nulls","environments":[null]}"""), "environments[0].name");
        await RefusedAsync(admin.SendRawAsync(HttpMethod.Put, "/api/v1/settings/retention", """{"months":1201}"""), "months");
        (await StoredAsync()).ShouldBe(before);

        var atLimit = Service(name: new string('n', Domain.Services.Service.NameMaxLength),
            environments: Enumerable.Range(0, Domain.Services.Service.MaxEnvironments).Select(i => new EnvironmentDto($"env-{i}", i == 0)).ToList());
        (await admin.PostAsync("/api/v1/services", atLimit)).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task User_and_service_account_members_over_their_limits_are_422_naming_each()
    {
        var admin = App.AsAdmin();
        var person = await S.PersonAsync(Role.Requestor);
        var before = await StoredAsync();
        CreateUserRequest User(string? email = null, string? displayName = null, IReadOnlyList<Role>? roles = null, string? password = null) =>
            new(email ?? $"u-{Scenario.Unique()}@example.test", displayName ?? "U", roles ?? [Role.Requestor], password);

        await RefusedAsync(admin.PostAsync("/api/v1/users", User(email: Email(Identities.EmailMaxLength + 1))), "email");
        await RefusedAsync(admin.PostAsync("/api/v1/users", User(displayName: Text(Identities.DisplayNameMaxLength + 1))), "displayName");
        await RefusedAsync(admin.PostAsync("/api/v1/users", User(password: Text(Identities.PasswordMaxLength + 1))), "password");
        await RefusedAsync(admin.PostAsync("/api/v1/users", User(roles: [.. Enum.GetValues<Role>(), Role.Admin])), "roles");
        await RefusedAsync(admin.PostAsync("/api/v1/users", User(roles: [Role.Requestor, Role.Requestor])), "roles[1]");
        await RefusedAsync(admin.SendRawAsync(HttpMethod.Put, $"/api/v1/users/{person.Id}/roles", """{"roles":["Requestor","Auditor","requestor"]}"""), "roles[2]");
        await RefusedAsync(admin.PostAsync("/api/v1/service-accounts",
            new CreateServiceAccountRequest(new string('n', Features.ServiceAccounts.CreateServiceAccount.NameMaxLength + 1), [Role.Implementer])), "name");
        await RefusedAsync(admin.PostAsync("/api/v1/service-accounts", new CreateServiceAccountRequest("dupes", [Role.Implementer, Role.Implementer])), "roles[1]");
        (await StoredAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Token_members_over_their_limits_are_422_naming_each_and_count_nothing_towards_lockout()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var before = await StoredAsync();
        CreateTokenRequest Token(string? name = null, IReadOnlyList<string>? scopes = null) => new(name ?? "t", scopes ?? [Scopes.ChangesRead], null);

        await RefusedAsync(person.Client.PostAsync($"/api/v1/users/{person.Id}/tokens", Token(name: Text(Features.Tokens.TokenIssuer.NameMaxLength + 1))), "name");
        await RefusedAsync(person.Client.PostAsync($"/api/v1/users/{person.Id}/tokens",
            Token(scopes: Enumerable.Repeat(Scopes.ChangesRead, Features.Tokens.TokenIssuer.MaxScopes + 1).ToList())), "scopes");
        await RefusedAsync(App.AsAdmin().PostAsync($"/api/v1/users/{person.Id}/tokens",
            Token(scopes: [Scopes.GatePrefix + new string('e', Domain.Services.Service.NameMaxLength + 1)])), "scopes[0]");
        await RefusedAsync(person.Client.SendRawAsync(HttpMethod.Post, $"/api/v1/users/{person.Id}/tokens", """{"name":"n","scopes":[null]}"""), "scopes[0]");

        var anonymous = App.Anonymous();
        PersonalTokenRequest SignIn(string? email = null, string? password = null, string? newPassword = null) =>
            new(email ?? person.Email, password ?? person.Password, "laptop", [Scopes.ChangesRead], null, newPassword);
        await RefusedAsync(anonymous.PostAsync("/api/v1/auth/tokens", SignIn(email: Email(Identities.EmailMaxLength + 1))), "email");
        await RefusedAsync(anonymous.PostAsync("/api/v1/auth/tokens", SignIn(newPassword: Text(Identities.PasswordMaxLength + 1))), "newPassword");
        var problem = await anonymous.PostAsync("/api/v1/auth/tokens", SignIn(password: Text(Identities.PasswordMaxLength + 1)) with { Name = "" })
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.Order().ShouldBe(["name", "password"]); // one answer names every field
        for (var i = 0; i < Features.SignIn.PasswordSignIn.ClientLockoutThreshold + 1; i++)
            await RefusedAsync(anonymous.PostAsync("/api/v1/auth/tokens", SignIn(password: Text(Identities.PasswordMaxLength + 1))), "password");
        (await StoredAsync()).ShouldBe(before, "no sign-in attempt was recorded, no throttle counted");

        (await anonymous.PostAsync("/api/v1/auth/tokens", SignIn())).StatusCode.ShouldBe(HttpStatusCode.Created, "not locked out");
    }

    [Fact]
    public async Task Setup_members_over_their_limits_are_422_naming_each()
    {
        await using var fresh = App.Provider == TestProvider.Postgres ? new UnsetPostgresApp() : (ChangeTrailApp)new UnsetSqliteApp();
        await fresh.InitializeAsync();
        var anonymous = fresh.Anonymous();
        SetupRequest Setup(string? email = null, string? displayName = null, string? password = null, string? code = null) =>
            new(email ?? "boss@example.test", displayName ?? "Boss", password ?? "a long enough password", code ?? ChangeTrailApp.SetupCode);

        await RefusedAsync(anonymous.PostAsync("/api/v1/setup", Setup(code: Text(SetupCode.MaxLength + 1))), "setupCode");
        await RefusedAsync(anonymous.PostAsync("/api/v1/setup", Setup(email: Email(Identities.EmailMaxLength + 1))), "email");
        await RefusedAsync(anonymous.PostAsync("/api/v1/setup", Setup(displayName: Text(Identities.DisplayNameMaxLength + 1))), "displayName");
        await RefusedAsync(anonymous.PostAsync("/api/v1/setup", Setup(password: Text(Identities.PasswordMaxLength + 1))), "password");

        (await anonymous.PostAsync("/api/v1/setup", Setup(password: new string('p', Identities.PasswordMaxLength)))).StatusCode
            .ShouldBe(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("/api/v1/changes?pageSize=201", "pageSize")]
    [InlineData("/api/v1/changes?pageSize=2147483647", "pageSize")]
    [InlineData("/api/v1/changes?page=10001", "page")]
    [InlineData("/api/v1/changes?page=2147483647&pageSize=200", "page")]
    [InlineData("/api/v1/changes?page=0", "page")]
    [InlineData("/api/v1/ledger/entries?count=10001", "count")]
    [InlineData("/api/v1/ledger/records?count=5001", "count")]
    public async Task A_page_beyond_its_cap_is_422_naming_it(string url, string field)
    {
        var problem = await App.AsAdmin().GetAsync(url).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.ShouldBe([field]);
    }

    [Fact]
    public async Task Query_texts_over_their_limits_are_422_naming_them()
    {
        var admin = App.AsAdmin();
        var q = await admin.GetAsync($"{Changes}?q={new string('q', ListChanges.SearchMaxLength + 1)}")
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        q.Errors!.Keys.ShouldBe(["q"]);
        var service = await admin.GetAsync($"{Changes}?service={new string('s', Domain.Services.Service.NameMaxLength + 1)}")
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        service.Errors!.Keys.ShouldBe(["service"]);
        var after = await admin.GetAsync($"/api/v1/ledger/records?after={new string('a', Features.Ledger.ListRecords.CursorMaxLength + 1)}")
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        after.Errors!.Keys.ShouldBe(["after"]);

        (await admin.GetAsync($"{Changes}?q={new string('q', ListChanges.SearchMaxLength)}&page={ListChanges.MaxPage}&pageSize={ListChanges.MaxPageSize}"))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/api/v1/changes?page=99999999999")]
    [InlineData("/api/v1/changes?pageSize=lots")]
    [InlineData("/api/v1/ledger/entries?count=99999999999999999999")]
    public async Task A_page_parameter_that_cannot_be_read_is_400(string url) =>
        await App.AsAdmin().GetAsync(url).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");

    [Fact]
    public async Task A_body_of_1_MiB_and_one_byte_is_413_problem_json_and_stores_nothing()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var draft = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        var before = await StoredAsync();

        var create = await requestor.Client.Http.PostAsync(Changes, JsonOfSize(OneMiB + 1), Ct);
        var chunked = await requestor.Client.Http.PostAsync(Changes, new ChunkedContent(Encoding.UTF8.GetBytes(await JsonOfSize(OneMiB + 1).ReadAsStringAsync(Ct))), Ct);
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"{Changes}/{draft.Number}") { Content = JsonOfSize(OneMiB + 1, "application/merge-patch+json") };
        var edit = await requestor.Client.Http.SendAsync(patch, Ct);
        var idempotent = new HttpRequestMessage(HttpMethod.Post, Changes) { Content = JsonOfSize(OneMiB + 1) };
        idempotent.Headers.Add("Idempotency-Key", Scenario.Unique());
        var withKey = await requestor.Client.Http.SendAsync(idempotent, Ct);

        foreach (var response in new[] { create, chunked, edit, withKey })
        {
            var problem = await Task.FromResult(response).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
            problem.Detail!.ShouldContain(LimitOptions.DefaultMaxRequestBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        (await StoredAsync()).ShouldBe(before, "no change, no ledger entry, no idempotency record");
        (await requestor.GetAsync(draft.Number)).Version.ShouldBe(draft.Version);
    }

    [Fact]
    public async Task A_body_of_exactly_1_MiB_is_read_and_judged_by_the_rules()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var before = await StoredAsync();

        var problem = await requestor.Client.Http.PostAsync(Changes, JsonOfSize(OneMiB), Ct)
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");

        problem.Errors!.Keys.ShouldBe(["purpose"]);
        (await StoredAsync()).ShouldBe(before);
    }

    [Theory]
    [InlineData("POST", "links")]
    [InlineData("POST", "riskAnswers")]
    [InlineData("PATCH", "title")]
    [InlineData("PATCH", "riskAnswers")]
    public async Task Deeply_nested_json_is_400_not_500(string method, string member)
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var draft = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        const int depth = 10_000;
        var nested = member == "riskAnswers"
            ? string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)
            : new string('[', depth) + new string(']', depth);
        var json = $$"""{"type":"Normal","title":"deep","{{member}}":{{nested}}}""";
        var before = await StoredAsync();

        var response = method == "POST"
            ? await requestor.Client.SendRawAsync(HttpMethod.Post, Changes, json)
            : await requestor.Client.SendRawAsync(HttpMethod.Patch, $"{Changes}/{draft.Number}", json, "application/merge-patch+json");

        var problem = await Task.FromResult(response).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");
        // The typed reader names the member; the patch's document reader, stopped at its depth limit, only the document.
        problem.Errors!.Keys.Single().ShouldStartWith(method == "POST" ? member : "$");
        (await StoredAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task The_change_form_shows_a_too_long_title_and_too_many_links_beside_their_fields()
    {
        var email = $"form-{Scenario.Unique()}@example.test";
        await App.AddPersonAsync(email, "Form Filler", [Role.Requestor], "form filler password");
        var browser = await App.SignInAsync(email, "form filler password");
        var before = await StoredAsync();

        var response = await browser.PostFormAsync("/changes/new", "/changes/new",
            ("Form.Type", "Normal"), ("Form.Title", new string('t', ChangeContent.TitleMaxLength + 1)),
            ("Form.Links", string.Join('\n', Enumerable.Range(0, ChangeContent.MaxLinks + 1).Select(i => $"https://x.test/{i}"))));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync(Ct);
        FieldError(html, "Form.Title").ShouldBe($"At most {ChangeContent.TitleMaxLength} characters.");
        FieldError(html, "Form.Links").ShouldBe($"At most {ChangeContent.MaxLinks} links.");
        var tooLarge = await browser.PostFormAsync("/changes/new", "/changes/new",
            ("Form.Type", "Normal"), ("Form.Title", "Large"), ("Form.Purpose", new string('p', OneMiB)));
        tooLarge.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await tooLarge.Content.ReadAsStringAsync(Ct)).ShouldContain("The form is larger than the server accepts.");
        (await StoredAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task The_audit_page_refuses_a_filter_over_its_limit_in_words()
    {
        var browser = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);

        var html = await browser.GetStringAsync($"/audit?actor={new string('a', Pages.Audit.IndexModel.FilterMaxLength + 1)}", Ct);

        html.ShouldContain($"actor: At most {Pages.Audit.IndexModel.FilterMaxLength} characters.");
        html.ShouldContain("No entry matches this search.");
    }

    /// <summary>What a refused request must leave as it was.</summary>
    private sealed record Stored(long LedgerSize, int Changes, int ChangeEvents, int ChangeNumbers, int Approvals, int Users, int Services,
        int Tokens, int IdempotencyRecords, int SignInThrottles);

    private async Task<Stored> StoredAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        return new Stored(
            (await db.LedgerHeads.AsNoTracking().SingleAsync(Ct)).Size,
            await db.ChangeRequests.CountAsync(Ct),
            await db.ChangeEvents.CountAsync(Ct),
            await db.ChangeNumbers.CountAsync(Ct),
            await db.Approvals.CountAsync(Ct),
            await db.Users.CountAsync(Ct),
            await db.Services.CountAsync(Ct),
            await db.ApiTokens.CountAsync(Ct),
            await db.IdempotencyRecords.CountAsync(Ct),
            await db.SignInThrottles.CountAsync(Ct));
    }

    private static async Task RefusedAsync(Task<HttpResponseMessage> response, string field)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.ShouldBe([field]);
    }

    /// <summary>A valid change body of exactly <paramref name="bytes"/> bytes, its purpose padded to fill it.</summary>
    private static ByteArrayContent JsonOfSize(int bytes, string mediaType = "application/json")
    {
        const string head = """{"type":"Normal","title":"big","purpose":" """;
        const string tail = "\"}";
        var body = Encoding.UTF8.GetBytes(head + new string('p', bytes - head.Length - tail.Length) + tail);
        body.Length.ShouldBe(bytes);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static string Text(int length) => new('x', length);

    private static string Url(int length) => "https://x.test/" + new string('u', length - "https://x.test/".Length);

    private static string Email(int length) => new string('e', length - "@example.test".Length) + "@example.test";

    private static JsonArray Array(int count, Func<int, JsonNode> item) => new([.. Enumerable.Range(0, count).Select(item)]);

    private static JsonObject Answers(IEnumerable<KeyValuePair<string, string>> answers) =>
        new(answers.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));

    private static string FieldError(string html, string field) =>
        WebUtility.HtmlDecode(FieldErrorPattern(field).Match(html).Groups[1].Value);

    private static Regex FieldErrorPattern(string field) =>
        new($"""<span class="field-error[^"]*" data-valmsg-for="{Regex.Escape(field)}"[^>]*>([^<]*)</span>""");

    /// <summary>A body sent without a Content-Length (Transfer-Encoding: chunked): the server learns its size only by reading it.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var offset = 0; offset < _bytes.Length; offset += 64 * 1024)
                await stream.WriteAsync(_bytes.AsMemory(offset, Math.Min(64 * 1024, _bytes.Length - offset)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

public sealed class LimitsTests_Sqlite(SqliteApp app) : LimitsTests(app), IClassFixture<SqliteApp>;

public sealed class LimitsTests_Postgres(PostgresApp app) : LimitsTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// The limit on a real socket: Kestrel enforces it itself (its <c>MaxRequestBodySize</c>, set from
/// <c>ChangeTrail:Limits:MaxRequestBodyBytes</c>, here 64 KiB), whether the client declares the size or streams it chunked.
/// </summary>
public sealed class LimitsOnKestrelTests(KestrelLimitsApp app) : IClassFixture<KestrelLimitsApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_one_byte_over_the_configured_limit_is_413_problem_json_and_creates_nothing(bool chunked)
    {
        var s = new Scenario(app);
        var requestor = await s.PersonAsync(Role.Requestor);
        var marker = Scenario.Unique();
        byte[] Body(int size)
        {
            var head = $$"""{"type":"Normal","title":"{{marker}}","purpose":" """;
            return Encoding.UTF8.GetBytes(head + new string('p', size - head.Length - 2) + "\"}");
        }
        HttpContent Content(byte[] body)
        {
            HttpContent content = chunked ? new StreamContent(new NonSeekableStream(body)) : new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return content;
        }

        var refused = await requestor.Client.Http.PostAsync("/api/v1/changes", Content(Body(KestrelLimitsApp.Limit + 1)), Ct);
        var problem = await Task.FromResult(refused).ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        problem.Detail!.ShouldContain(KestrelLimitsApp.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"/api/v1/changes?q={marker}")).Total.ShouldBe(0);

        // At the limit the body is read, and the rules judge it (its purpose is over 20,000 characters).
        var atLimit = await requestor.Client.Http.PostAsync("/api/v1/changes", Content(Body(KestrelLimitsApp.Limit)), Ct);
        (await Task.FromResult(atLimit).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed")).Errors!.Keys.ShouldBe(["purpose"]);
    }

    /// <summary>A stream of unknown length, so HttpClient sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

public sealed class KestrelLimitsApp : ChangeTrailApp
{
    public const int Limit = 64 * 1024;

    public KestrelLimitsApp() : base(TestProvider.Sqlite) => UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

    protected override void ConfigureTestServices(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.UseSetting("ChangeTrail:Limits:MaxRequestBodyBytes", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>docs/api.md's "Limits" table states the maxima the code enforces: a changed constant fails here until the table says so too.</summary>
public sealed class LimitsDocumentationTests
{
    public static TheoryData<string, string> DocumentedLimits => new()
    {
        { "the body", Invariant($"{LimitOptions.DefaultMaxRequestBodyBytes / 1024 / 1024} MiB") },
        { "`title`", Invariant($"{ChangeContent.TitleMaxLength:N0} characters") },
        { "`purpose`", Invariant($"{ChangeContent.TextMaxLength:N0} characters") },
        { "`services`", Invariant($"{ChangeContent.MaxServices} entries, each a name or id of at most {Service.NameMaxLength} characters") },
        { "`riskAnswers`", Invariant($"({Domain.Risk.DefaultRiskQuestionnaire.Instance.Questions.Count} today)") },
        { "`riskAnswers`", Invariant($"at most {Domain.Risk.RiskQuestionnaire.KeyMaxLength} characters") },
        { "`implementer`", Invariant($"{Identities.EmailMaxLength} characters") },
        { "`commits`", Invariant($"{ChangeContent.MaxCommits} entries; `sha` {CommitRef.ShaMinLength} to {CommitRef.ShaMaxLength} hexadecimal") },
        { "`commits`", Invariant($"`authorEmail` {CommitRef.AuthorEmailMaxLength} characters") },
        { "`links`", Invariant($"{ChangeContent.MaxLinks} entries, each an absolute http(s) URL of at most {ChangeContent.LinkMaxLength:N0} characters") },
        { "`comment`", Invariant($"{ChangeRequest.CommentMaxLength:N0} characters") },
        { "`notes`", Invariant($"{ChangeContent.TextMaxLength:N0} characters") },
        { "/legal-hold` | `reason`", Invariant($"{LegalHold.ReasonMaxLength:N0} characters") },
        { "POST /services` | `name`", Invariant($"{Service.NameMaxLength} characters") },
        { "`repository`", Invariant($"{Service.RepositoryMaxLength} characters") },
        { "`environments`", Invariant($"{Service.MaxEnvironments} entries, each `name` at most {Service.NameMaxLength} characters") },
        { "POST /setup` | `email`", Invariant($"{Identities.EmailMaxLength} characters") },
        { "`displayName` |", Invariant($"{Identities.DisplayNameMaxLength} characters") },
        { "`password` |", Invariant($"{Identities.PasswordMaxLength} characters") },
        { "`setupCode`", Invariant($"{SetupCode.MaxLength} characters") },
        { "POST /users` | `email`, `displayName`, `password`",
            Invariant($"{Identities.EmailMaxLength}, {Identities.DisplayNameMaxLength} and {Identities.PasswordMaxLength} characters") },
        { "`roles`", Invariant($"at most {Enum.GetValues<Role>().Length}") },
        { "POST /service-accounts` | `name`", Invariant($"{Features.ServiceAccounts.CreateServiceAccount.NameMaxLength} characters") },
        { "/tokens` | `name`", Invariant($"{Features.Tokens.TokenIssuer.NameMaxLength} characters") },
        { "`scopes`", Invariant($"{Features.Tokens.TokenIssuer.MaxScopes} entries") },
        { "`months`", Invariant($"{Domain.Retention.RetentionPeriod.MinimumMonths} to {Domain.Retention.RetentionPeriod.MaximumMonths:N0}") },
        { "`page`", Invariant($"1 to {ListChanges.MaxPage:N0}") },
        { "`pageSize`", Invariant($"1 to {ListChanges.MaxPageSize}") },
        { "`q`", Invariant($"{ListChanges.SearchMaxLength} characters") },
        { "`service`", Invariant($"{Service.NameMaxLength} characters") },
        { "POST /gate` | `change`, `template`", Invariant($"{Domain.Pipeline.GateDecision.ChangeReferenceMaxLength} characters") },
        { "`service`, `environment` |", Invariant($"{Service.NameMaxLength} characters each") },
        { "`artifact`", Invariant($"{Domain.Pipeline.Deployment.ArtifactMaxLength} characters") },
        { "`pipelineUrl`", Invariant($"{Domain.Pipeline.Deployment.PipelineUrlMaxLength:N0} characters") },
        { "POST /evidence` | `file`",
            Invariant($"{Hosting.EvidenceOptions.DefaultMaxFileBytes / 1024 / 1024} MiB ({Hosting.EvidenceOptions.DefaultMaxFileBytes:N0} bytes") },
        { "`file`", Invariant($"first {Domain.Pipeline.TestEvidence.FileNameMaxLength} characters") },
        { "every other form field", Invariant($"{Features.Evidence.UploadEvidence.FieldMaxBytes:N0} bytes") },
        { "GET /deployments` | `offset`", "0 or more" },
        { "`limit`", Invariant($"1 to {Features.Deployments.ListDeployments.MaxLimit}") },
        { "POST /policy/versions` | `text`", Invariant($"{Domain.PolicyDocuments.PolicyVersion.TextMaxLength:N0} characters") },
        { "GET /ledger/entries` | `count`", Invariant($"1 to {Features.Ledger.ListEntries.MaxCount:N0}") },
        { "GET /ledger/records` | `count`", Invariant($"1 to {Features.Ledger.ListRecords.MaxCount:N0}") },
        { "`after`", Invariant($"{Features.Ledger.ListRecords.CursorMaxLength} characters") },
    };

    [Theory]
    [MemberData(nameof(DocumentedLimits))]
    public void The_limits_table_states_the_maximum_the_code_enforces(string row, string maximum) =>
        LimitsTable().ShouldContain(line => line.Contains(row, StringComparison.Ordinal) && line.Contains(maximum, StringComparison.Ordinal),
            $"docs/api.md, \"Limits\": no row with {row} says {maximum}");

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static List<string> LimitsTable()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ChangeTrail.slnx")))
            root = root.Parent;
        var api = File.ReadAllText(Path.Combine(root!.FullName, "docs", "api.md"));
        var section = api[api.IndexOf("\n## Limits\n", StringComparison.Ordinal)..];
        return section[..section.IndexOf("\n## ", 2, StringComparison.Ordinal)].Split('\n').Where(line => line.StartsWith('|')).ToList();
    }
}
