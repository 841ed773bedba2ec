using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class ChangeContentTests
{
    private readonly ChangeContent _content = new Team().Content();

    private static IReadOnlyDictionary<string, string[]> Errors(ChangeContent content)
    {
        var errors = new ValidationErrors();
        content.Validate(errors);
        var result = errors.ToResult();
        return result.IsSuccess ? new Dictionary<string, string[]>() : result.ShouldFailWith<ValidationFailed>().Errors;
    }

    [Fact]
    public void Validate_accepts_complete_content()
    {
        Errors(_content).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_accepts_a_bare_draft_with_only_a_title()
    {
        Errors(new ChangeContent("Just an idea", null, null, null, null, null, null, null, null, [], new Dictionary<string, string>(),
            null, [], [], null, [])).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_accepts_a_200_character_title_and_rejects_201()
    {
        Errors(_content with { Title = new string('t', 200) }).ShouldBeEmpty();
        Errors(_content with { Title = new string('t', 201) }).Keys.ShouldBe(["title"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_requires_a_title(string title) =>
        Errors(_content with { Title = title })["title"].ShouldBe(["This field is required."]);

    [Fact]
    public void Validate_rejects_text_fields_over_20000_characters()
    {
        var tooLong = new string('x', ChangeContent.TextMaxLength + 1);

        Errors(_content with { Purpose = new string('x', ChangeContent.TextMaxLength) }).ShouldBeEmpty();
        Errors(_content with { Purpose = tooLong, TestResults = tooLong, EmergencyJustification = tooLong }).Keys
            .ShouldBe(["purpose", "testResults", "emergencyJustification"], ignoreOrder: true);
    }

    [Fact]
    public void Validate_rejects_an_end_before_the_start()
    {
        Errors(_content with { PlannedEnd = _content.PlannedStart!.Value.AddMinutes(-1) }).Keys.ShouldBe(["plannedEnd"]);
    }

    [Fact]
    public void Validate_rejects_an_end_equal_to_the_start()
    {
        Errors(_content with { PlannedEnd = _content.PlannedStart }).Keys.ShouldBe(["plannedEnd"]);
    }

    [Fact]
    public void Validate_accepts_a_window_with_only_one_end_set()
    {
        Errors(_content with { PlannedEnd = null }).ShouldBeEmpty();
        Errors(_content with { PlannedStart = null }).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("abcdef0")]
    [InlineData("0123456789ABCDEF0123456789abcdef01234567")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Validate_accepts_commit_shas_of_7_to_64_hex_digits(string sha) =>
        Errors(_content with { Commits = [new CommitRef(sha, "dev@example.test")] }).ShouldBeEmpty();

    [Theory]
    [InlineData("")]
    [InlineData("abcdef")]
    [InlineData("abcdefg")]
    [InlineData("abc def0")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")]
    [InlineData("v1.2.3-rc")]
    public void Validate_rejects_malformed_commit_shas(string sha)
    {
        var content = _content with { Commits = [new CommitRef("abcdef0", null), new CommitRef(sha, null)] };

        Errors(content).Keys.ShouldBe(["commits[1].sha"]);
    }

    [Fact]
    public void Validate_rejects_a_commit_author_email_over_320_characters() =>
        Errors(_content with { Commits = [new CommitRef("abcdef0", new string('a', 321))] }).Keys.ShouldBe(["commits[0].authorEmail"]);

    [Theory]
    [InlineData("https://git.example.test/pr/1")]
    [InlineData("http://ci.internal:8080/job/42")]
    public void Validate_accepts_http_and_https_links(string link) =>
        Errors(_content with { Links = [link] }).ShouldBeEmpty();

    [Theory]
    [InlineData("ftp://files.example.test/build.zip")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("git.example.test/pr/1")]
    [InlineData("not a link")]
    [InlineData("")]
    public void Validate_rejects_links_that_are_not_absolute_http_urls(string link)
    {
        var content = _content with { Links = ["https://ok.example.test", link] };

        Errors(content).Keys.ShouldBe(["links[1]"]);
    }

    [Fact]
    public void Validate_rejects_a_service_listed_twice()
    {
        var id = Guid.NewGuid();

        Errors(_content with { Services = [id, Guid.NewGuid(), id] }).Keys.ShouldBe(["services"]);
    }

    [Fact]
    public void Validate_names_every_invalid_field_at_once()
    {
        var id = Guid.NewGuid();
        var content = _content with
        {
            Title = "",
            PlannedEnd = _content.PlannedStart!.Value.AddHours(-1),
            Services = [id, id],
            Commits = [new CommitRef("xyz", null)],
            Links = ["mailto:ops@example.test"],
        };

        Errors(content).Keys.ShouldBe(["title", "plannedEnd", "services", "commits[0].sha", "links[0]"], ignoreOrder: true);
    }

    [Fact]
    public void Hash_is_lower_case_hex_SHA_256_and_stable()
    {
        var hash = _content.Hash();

        hash.Length.ShouldBe(64);
        hash.ShouldAllBe(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));
        _content.Hash().ShouldBe(hash);
        (_content with { }).Hash().ShouldBe(hash);
    }

    [Fact]
    public void Hash_of_equal_content_built_separately_is_equal()
    {
        var copy = _content with
        {
            Services = _content.Services.ToList(),
            RiskAnswers = new Dictionary<string, string>(_content.RiskAnswers),
            Commits = _content.Commits.Select(c => c with { }).ToList(),
            Links = _content.Links.Select(l => new string(l.AsSpan())).ToList(),
        };

        copy.Hash().ShouldBe(_content.Hash());
    }

    [Fact]
    public void Hash_ignores_the_order_of_services_and_risk_answers()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var answers = Answers.Medium();

        (_content with { Services = [a, b], RiskAnswers = answers }).Hash()
            .ShouldBe((_content with { Services = [b, a], RiskAnswers = answers.Reverse().ToDictionary() }).Hash());
    }

    public static TheoryData<string> Fields =>
    [
        "Title", "Purpose", "Scope", "ImpactAnalysis", "RollbackPlan", "TestPlan", "TestResults", "PlannedStart", "PlannedEnd",
        "Services", "RiskAnswers", "ImplementerId", "Commits", "CommitAuthor", "Links", "EmergencyJustification",
    ];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Hash_changes_when_any_field_changes(string field)
    {
        var changed = field switch
        {
            "Title" => _content with { Title = _content.Title + "!" },
            "Purpose" => _content with { Purpose = null },
            "Scope" => _content with { Scope = _content.Scope + " " },
            "ImpactAnalysis" => _content with { ImpactAnalysis = "" },
            "RollbackPlan" => _content with { RollbackPlan = "Restore the snapshot." },
            "TestPlan" => _content with { TestPlan = "None." },
            "TestResults" => _content with { TestResults = "1 failure." },
            "PlannedStart" => _content with { PlannedStart = _content.PlannedStart!.Value.AddTicks(1) },
            "PlannedEnd" => _content with { PlannedEnd = _content.PlannedEnd!.Value.AddMinutes(1) },
            "Services" => _content with { Services = [.. _content.Services, Guid.NewGuid()] },
            "RiskAnswers" => _content with { RiskAnswers = Answers.Medium() },
            "ImplementerId" => _content with { ImplementerId = Guid.NewGuid() },
            "Commits" => _content with { Commits = [new CommitRef("abcdef0", null)] },
            "CommitAuthor" => _content with { Commits = [new CommitRef("abcdef0", "dev@example.test")] },
            "Links" => _content with { Links = [.. _content.Links, "https://ci.example.test/1"] },
            "EmergencyJustification" => _content with { EmergencyJustification = "Outage." },
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
        };

        changed.Hash().ShouldNotBe(_content.Hash());
        if (field == "CommitAuthor")
            changed.Hash().ShouldNotBe((_content with { Commits = [new CommitRef("abcdef0", null)] }).Hash());
    }

    [Fact]
    public void Hash_distinguishes_moving_text_between_fields()
    {
        (_content with { Purpose = "a", Scope = "b" }).Hash().ShouldNotBe((_content with { Purpose = "b", Scope = "a" }).Hash());
        (_content with { Purpose = "ab", Scope = "" }).Hash().ShouldNotBe((_content with { Purpose = "a", Scope = "b" }).Hash());
    }

    [Fact]
    public void MissingRequiredFields_of_complete_content_is_empty() =>
        _content.MissingRequiredFields(Clock.Questionnaire).ShouldBeEmpty();
}
