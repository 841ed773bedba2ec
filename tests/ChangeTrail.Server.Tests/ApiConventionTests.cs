using System.Net;
using System.Text.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>The conventions of CONTRACT.md and ARCHITECTURE.md "Decisions": JSON, status codes, problems, idempotency, paging.</summary>
public abstract class ApiConventionTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Changes = "/api/v1/changes";

    [Fact]
    public async Task An_unknown_member_is_400_naming_it_and_creates_nothing()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var problem = await requestor.Client.SendRawAsync(HttpMethod.Post, Changes, """{"type":"Normal","title":"x","rollbackPlna":"typo"}""")
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");
        problem.Errors!.Keys.ShouldBe(["rollbackPlna"]);
        (await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?q=x")).Items
            .ShouldNotContain(c => c.Requestor.Id == requestor.Id);
    }

    [Fact]
    public async Task An_unknown_member_of_a_legal_hold_or_the_retention_period_is_400_and_changes_nothing()
    {
        var (_, _, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var before = await S.Admin.GetJsonAsync<RetentionResponse>("/api/v1/settings/retention");

        var retention = await S.Admin.SendRawAsync(HttpMethod.Put, "/api/v1/settings/retention", """{"months":24,"prototype":1}""")
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");
        var hold = await S.Admin.SendRawAsync(HttpMethod.Post, $"{Changes}/{change.Number}/legal-hold", """{"reason":"Litigation","until":"2030"}""")
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");

        retention.Errors!.Keys.ShouldBe(["prototype"]);
        hold.Errors!.Keys.ShouldBe(["until"]);
        (await S.Admin.GetJsonAsync<RetentionResponse>("/api/v1/settings/retention")).ShouldBe(before);
        (await S.Admin.GetJsonAsync<ChangeResponse>($"{Changes}/{change.Number}")).LegalHold.ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"type":"Normal","title":"x","plannedStart":"not a date"}""", "plannedStart")]
    [InlineData("""{"type":"Normal","title":"x","services":"api"}""", "services")]
    [InlineData("""{"type":1,"title":"x"}""", "type")]
    [InlineData("""{"type":"Sometimes","title":"x"}""", "type")]
    [InlineData("""{"type":"Normal","title":"x","commits":[{"sha":"abc1234","author":"a"}]}""", "commits[0].author")]
    public async Task A_wrong_type_is_400_naming_the_member(string json, string field)
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var problem = await requestor.Client.SendRawAsync(HttpMethod.Post, Changes, json)
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");
        problem.Errors!.Keys.ShouldBe([field]);
    }

    [Fact]
    public async Task Malformed_json_is_400()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        await requestor.Client.SendRawAsync(HttpMethod.Post, Changes, """{"type": "Normal", """)
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");
    }

    [Theory]
    [InlineData("utf-7")]
    [InlineData("bogus")]
    [InlineData("\"no-such-encoding\"")]
    public async Task A_body_in_a_charset_the_server_cannot_read_is_415_and_creates_nothing(string charset)
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var marker = Scenario.Unique();
        var body = $$"""{"type":"Normal","title":"Charset {{marker}}"}""";

        await requestor.Client.SendRawAsync(HttpMethod.Post, Changes, body, $"application/json; charset={charset}")
            .ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await App.Anonymous().SendRawAsync(HttpMethod.Post, Changes, body, $"application/json; charset={charset}")
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        (await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?q={marker}")).Total.ShouldBe(0);
        (await requestor.Client.SendRawAsync(HttpMethod.Post, Changes, body, "application/json; charset=utf-8")).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Enums_are_accepted_in_any_case_and_answered_in_PascalCase()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var response = await requestor.Client.SendRawAsync(HttpMethod.Post, Changes, """{"type":"eMeRgEnCy","title":"Case test"}""");
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        json.GetProperty("type").GetString().ShouldBe("Emergency");
        json.GetProperty("state").GetString().ShouldBe("Draft");
        json.GetProperty("number").GetString()!.ShouldStartWith("CR-");
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/changes/{json.GetProperty("number").GetString()}");
    }

    [Fact]
    public async Task Validation_names_every_invalid_field_at_once_and_changes_nothing()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var fields = S.CompleteChange("no-such-service") with
        {
            Title = new string('t', 201),
            PlannedEnd = DateTime.UtcNow.AddDays(-30),
            RiskAnswers = new Dictionary<string, string> { ["downtime"] = "forever", ["vibes"] = "good" },
            Links = ["javascript:alert(1)"],
            Implementer = "nobody@example.test",
        };
        var problem = await requestor.Client.PostAsync(Changes, fields).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.Order().ShouldBe(
            ["implementer", "links[0]", "plannedEnd", "riskAnswers.downtime", "riskAnswers.vibes", "services[0]", "title"]);
    }

    [Fact]
    public async Task Patch_is_merge_patch_where_null_clears_a_field()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));

        var patched = await ApiClient.ReadAsync<ChangeResponse>(await requestor.Client.SendRawAsync(HttpMethod.Patch, $"{Changes}/{change.Number}",
            """{"testResults": null, "riskAnswers": {"downtime": "brief"}}""", "application/merge-patch+json"));

        patched.TestResults.ShouldBeNull();
        patched.Purpose.ShouldBe(change.Purpose);
        patched.RiskAnswers["downtime"].ShouldBe("brief");
        patched.RiskAnswers.Count.ShouldBe(change.RiskAnswers.Count, "a merge patch merges nested objects too");
        patched.Risk.Availability.ShouldBe(Domain.Risk.RiskLevel.Medium, "the risk is recomputed on every edit");
        patched.MissingFields.ShouldBe(["testResults"]);

        var problem = await requestor.Client.SendRawAsync(HttpMethod.Patch, $"{Changes}/{change.Number}", """{"colour": "blue"}""",
            "application/merge-patch+json").ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");
        problem.Errors!.Keys.ShouldBe(["colour"]);
        await requestor.Client.SendRawAsync(HttpMethod.Patch, $"{Changes}/{change.Number}", "title=x", "text/plain")
            .ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Theory]
    [InlineData("""{"title":"\ud800"}""", "title")]
    [InlineData("""{"riskAnswers":{"downtime":"\udc00\ud800"}}""", "riskAnswers.downtime")]
    public async Task A_patch_holding_an_escape_that_is_no_text_is_400_naming_the_member_and_changes_nothing(string json, string field)
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));

        var problem = await requestor.Client.SendRawAsync(HttpMethod.Patch, $"{Changes}/{change.Number}", json, "application/merge-patch+json")
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");

        problem.Errors!.Keys.ShouldBe([field]);
        (await requestor.GetAsync(change.Number)).Version.ShouldBe(change.Version);
    }

    [Fact]
    public async Task A_retry_with_the_same_Idempotency_Key_returns_the_first_answer_and_creates_nothing_more()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var service = await S.ServiceAsync();
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Scenario.Unique() };

        var first = await requestor.Client.PostAsync(Changes, S.CompleteChange(service), key);
        var retry = await requestor.Client.PostAsync(Changes, S.CompleteChange(service), key);

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.Headers.GetValues("Idempotency-Replayed").ShouldBe(["true"]);
        (await retry.Content.ReadAsStringAsync(Ct)).ShouldBe(await first.Content.ReadAsStringAsync(Ct));
        (await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?service={service}")).Total.ShouldBe(1);

        var other = S.CompleteChange(service) with { Title = "A different request" };
        await requestor.Client.PostAsync(Changes, other, key).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
    }

    [Fact]
    public async Task The_list_filters_searches_and_pages()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var service = await S.ServiceAsync();
        var marker = Scenario.Unique();
        for (var i = 0; i < 5; i++)
        {
            var fields = S.CompleteChange(service, highRisk: i == 0) with { Title = $"Rotate {marker} keys #{i}" };
            var created = await requestor.CreateAsync(fields);
            if (i < 2)
                await requestor.ActAsync(created.Number, "submit");
        }

        var page1 = await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?service={service}&pageSize=2&page=1");
        var page3 = await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?service={service}&pageSize=2&page=3");
        page1.Total.ShouldBe(5);
        page1.Items.Count.ShouldBe(2);
        page3.Items.Count.ShouldBe(1);
        page1.Items[0].Title.ShouldEndWith("#4", customMessage: "newest first");

        (await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?service={service}&state=submitted")).Total.ShouldBe(2);
        (await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?service={service}&risk=High")).Total.ShouldBe(1);
        (await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?q={marker.ToUpperInvariant()}")).Total.ShouldBe(5);
        var byNumber = await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?q={page1.Items[0].Number}&service={service}");
        byNumber.Items.Select(c => c.Number).ShouldBe([page1.Items[0].Number]);
        (await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"{Changes}?q=100%25_{marker}")).Total.ShouldBe(0);

        var problem = await requestor.Client.GetAsync($"{Changes}?state=5&pageSize=1000")
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.Order().ShouldBe(["pageSize", "state"]);
    }

    [Fact]
    public async Task A_change_is_found_by_id_by_number_and_by_bare_number()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        (await requestor.GetAsync(change.Id.ToString())).Number.ShouldBe(change.Number);
        (await requestor.GetAsync(change.Number.ToLowerInvariant())).Id.ShouldBe(change.Id);
        (await requestor.GetAsync(change.Number["CR-".Length..])).Id.ShouldBe(change.Id);
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_answer_problem_json()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        await requestor.Client.GetAsync("/api/v1/nothing-here").ShouldBeProblemAsync(HttpStatusCode.NotFound, "not-found");
        await requestor.Client.Http.PutAsync(Changes, null, Ct).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/html")]
    public async Task Unknown_routes_and_wrong_methods_answer_problem_json_whatever_Accept_asks_for(string accept)
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        foreach (var (method, path, status, type) in new[]
        {
            (HttpMethod.Get, "/api/v1/nothing-here", HttpStatusCode.NotFound, "not-found"),
            (HttpMethod.Delete, "/api/v1/tokens/not-a-guid", HttpStatusCode.NotFound, "not-found"),
            (HttpMethod.Put, Changes, HttpStatusCode.MethodNotAllowed, "method-not-allowed"),
        })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Accept.ParseAdd(accept);
            await requestor.Client.Http.SendAsync(request, Ct).ShouldBeProblemAsync(status, type);
        }
    }

    [Fact]
    public async Task The_risk_questionnaire_is_served_with_its_version_and_thresholds()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var questionnaire = await requestor.Client.GetJsonAsync<QuestionnaireResponse>("/api/v1/risk/questionnaire");
        questionnaire.Version.ShouldBe(1);
        questionnaire.Questions.Select(q => q.Dimension).Distinct().Count().ShouldBe(3);
        questionnaire.Questions.Select(q => q.Key).ShouldBe(Scenario.LowRiskAnswers.Keys, ignoreOrder: true);
        questionnaire.Thresholds.High.ShouldBeGreaterThan(questionnaire.Thresholds.Medium);
    }

    [Fact]
    public async Task Health_readiness_and_the_OpenAPI_document_are_public_and_the_reference_fetches_nothing_from_the_internet()
    {
        var anonymous = App.Anonymous();
        (await anonymous.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var openApi = JsonDocument.Parse(await (await anonymous.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync(Ct)).RootElement;
        var paths = openApi.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/setup", "/api/v1/changes", "/api/v1/changes/{idOrNumber}/approvals", "/api/v1/users/{id}/tokens" })
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);

        var docs = await anonymous.GetAsync("/api/docs");
        docs.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await docs.Content.ReadAsStringAsync(Ct);
        html.ShouldNotContain("cdn.jsdelivr.net");
        html.ShouldNotContain("fonts.googleapis");
        foreach (var src in System.Text.RegularExpressions.Regex.Matches(html, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value))
            src.StartsWith("http", StringComparison.OrdinalIgnoreCase).ShouldBeFalse($"the reference page loads {src} from elsewhere");
    }
}

public sealed class ApiConventionTests_Sqlite(SqliteApp app) : ApiConventionTests(app), IClassFixture<SqliteApp>;

public sealed class ApiConventionTests_Postgres(PostgresApp app) : ApiConventionTests(app), IClassFixture<PostgresApp>;
