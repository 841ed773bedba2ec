using System.Text;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Evidence;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

/// <summary>
/// Policy 3.4: test evidence uploaded by pipelines is detected from its content and counted. The fixtures were
/// written by the real tools (tests/fixtures/evidence/README.md says which); the expected counts come from the
/// fixture sources, not from parsing them again.
/// </summary>
public class EvidenceParserTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", "evidence");

    private static async Task<Result<EvidenceSummary>> Parse(string fixture)
    {
        await using var file = File.OpenRead(Path.Combine(Fixtures, fixture));
        return await EvidenceParser.ParseAsync(file, TestContext.Current.CancellationToken);
    }

    private static async Task<Result<EvidenceSummary>> ParseText(string text)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return await EvidenceParser.ParseAsync(stream, TestContext.Current.CancellationToken);
    }

    [Theory]
    // node --test: 3 pass, 1 fail inside a nested suite, 1 skip and 1 todo (<skipped type="todo">) under the root.
    [InlineData("junit-node.xml", 3, 1, 2, null)]
    [InlineData("junit-node-pass.xml", 3, 0, 0, null)]
    // jest-junit writes the todo test as a bare <testcase>: the file says passed, and so do we.
    [InlineData("junit-jest.xml", 4, 1, 1, "jest tests")]
    // pytest: a setup <error> counts as failed, an xfail is written as <skipped>.
    [InlineData("junit-pytest.xml", 3, 2, 2, null)]
    // gotestsum writes a subtest and its parent as separate test cases.
    [InlineData("junit-go.xml", 4, 1, 1, null)]
    [InlineData("junit-surefire.xml", 2, 2, 1, null)]
    [InlineData("junit-gradle.xml", 2, 1, 1, null)]
    public async Task JUnit_files_from_each_tool_are_counted_by_test_case(string fixture, int passed, int failed, int skipped, string? tool)
    {
        var summary = (await Parse(fixture)).ShouldSucceed();

        summary.Format.ShouldBe(EvidenceFormat.JUnit);
        (summary.Passed, summary.Failed, summary.Skipped).ShouldBe((passed, failed, skipped));
        summary.FindingCounts.ShouldBe(FindingCounts.Zero);
        summary.Findings.ShouldBeEmpty();
        summary.Tool.ShouldBe(tool);
    }

    [Theory]
    // The theory's two rows count as two results; results-pass.trx keeps only the tests marked Set=Pass.
    [InlineData("results.trx", 3, 1, 1)]
    [InlineData("results-pass.trx", 3, 0, 0)]
    public async Task Trx_files_from_dotnet_test_are_counted_by_outcome(string fixture, int passed, int failed, int skipped)
    {
        var summary = (await Parse(fixture)).ShouldSucceed();

        summary.Format.ShouldBe(EvidenceFormat.Trx);
        (summary.Passed, summary.Failed, summary.Skipped).ShouldBe((passed, failed, skipped));
        summary.FindingCounts.ShouldBe(FindingCounts.Zero);
        // xunit.v3 names the run "<user>@<machine> <timestamp>": the TestRun name is all the file offers.
        summary.Tool.ShouldNotBeNull().ShouldContain("@");
    }

    [Theory]
    [InlineData("eslint-errors.sarif", "ESLint", 1, 2, 0, 0)]
    [InlineData("eslint-clean.sarif", "ESLint", 0, 1, 0, 0)]
    // CodeQL leaves level out and relies on rule defaults, which are deliberately not chased: SARIF's default, warning.
    [InlineData("codeql.sarif", "CodeQL", 0, 3, 0, 0)]
    [InlineData("semgrep.sarif", "Semgrep OSS", 1, 2, 1, 0)]
    public async Task Sarif_files_are_counted_by_level(string fixture, string tool, int error, int warning, int note, int none)
    {
        var summary = (await Parse(fixture)).ShouldSucceed();

        summary.Format.ShouldBe(EvidenceFormat.Sarif);
        (summary.Passed, summary.Failed, summary.Skipped).ShouldBe((0, 0, 0));
        summary.FindingCounts.ShouldBe(new FindingCounts(error, warning, note, none));
        summary.Findings.Count.ShouldBe(summary.FindingCounts.Total);
        summary.Tool.ShouldBe(tool);
    }

    [Fact]
    public async Task Sarif_findings_keep_rule_message_and_location_in_file_order()
    {
        var summary = (await Parse("eslint-errors.sarif")).ShouldSucceed();

        summary.Findings.Select(f => (f.Level, f.RuleId)).ShouldBe(
            [("warning", "no-unused-vars"), ("error", "no-undef"), ("warning", "eqeqeq")]);
        var first = summary.Findings[0];
        first.Message.ShouldBe("'unused' is assigned a value but never used.");
        first.Location.ShouldNotBeNull().ShouldEndWith("sources/eslint/errors/app.js:2");
        first.Location.ShouldStartWith("file:///");
    }

    [Fact]
    public async Task A_codeql_result_takes_its_rule_from_the_result_and_its_location_from_the_first_physical_location()
    {
        var summary = (await Parse("codeql.sarif")).ShouldSucceed();

        summary.Findings[0].ShouldBe(new EvidenceFinding("warning", "js/sql-injection",
            "This query string depends on a [user-provided value](1).", "src/server.js:42"));
    }

    [Theory]
    [InlineData("bad/truncated.xml", "evidence-unreadable", "line")]
    [InlineData("bad/billion-laughs.xml", "evidence-unreadable", "DTDs and entities are not allowed")]
    [InlineData("bad/xxe.xml", "evidence-unreadable", "DTDs and entities are not allowed")]
    [InlineData("bad/sarif-1.0.0.sarif", "sarif-version-unsupported", "\"1.0.0\"")]
    [InlineData("bad/not-evidence.json", "evidence-format-unknown", "JSON that is not SARIF")]
    [InlineData("bad/html.xml", "evidence-format-unknown", "an XML document whose root is <html>")]
    [InlineData("bad/empty.xml", "evidence-format-unknown", "an empty file")]
    [InlineData("bad/binary.bin", "evidence-format-unknown", "binary or text that is neither XML nor JSON")]
    public async Task Bad_files_are_refused_saying_why(string fixture, string type, string reason)
    {
        var result = await Parse(fixture);

        result.IsSuccess.ShouldBeFalse();
        var error = result.Error.ShouldNotBeNull();
        error.Type.ShouldBe(type);
        error.Kind.ShouldBe(ErrorKind.Unreadable);
        error.Detail.ShouldContain(reason);
    }

    [Fact]
    public async Task A_truncated_file_names_where_it_ends()
    {
        var error = (await Parse("bad/truncated.xml")).ShouldFailWith<EvidenceUnreadable, EvidenceSummary>();
        error.Detail.ShouldMatch(@"line \d+, position \d+");
    }

    [Fact]
    public async Task A_billion_laughs_file_is_refused_at_once_without_expanding_anything()
    {
        // Reads complete synchronously so the whole parse stays on this thread, where the allocations are counted: after a
        // real await the test may resume on a thread that ran other tests meanwhile, and its count would be theirs.
        await using var file = new SynchronousReads(File.OpenRead(Path.Combine(Fixtures, "bad/billion-laughs.xml")));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var started = TimeProvider.System.GetTimestamp();

        (await EvidenceParser.ParseAsync(file, TestContext.Current.CancellationToken)).ShouldFailWith<EvidenceUnreadable, EvidenceSummary>();

        TimeProvider.System.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(2));
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1_000_000);
    }

    [Fact]
    public async Task An_external_entity_is_never_resolved()
    {
        var error = (await Parse("bad/xxe.xml")).ShouldFailWith<EvidenceUnreadable, EvidenceSummary>();
        error.Detail.ShouldNotContain("root:");
        error.Detail.ShouldContain("line 2");
    }

    [Fact]
    public async Task Whitespace_before_an_xml_declaration_is_malformed_xml_and_says_where()
    {
        // XML allows nothing before its declaration; detection skips the whitespace, the XML reader does not.
        var error = (await ParseText("\n<?xml version=\"1.0\"?><testsuites/>")).ShouldFailWith<EvidenceUnreadable, EvidenceSummary>();
        error.Detail.ShouldContain("line 2");
    }

    [Theory]
    [InlineData("\uFEFF  \r\n<testsuite><testcase name=\"a\"/></testsuite>")]
    [InlineData("\uFEFF<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<testsuites><testsuite><testcase name=\"a\"/></testsuite></testsuites>")]
    public async Task A_bom_whitespace_a_declaration_and_comments_before_the_root_are_skipped(string text)
    {
        var summary = (await ParseText(text)).ShouldSucceed();
        (summary.Format, summary.Passed).ShouldBe((EvidenceFormat.JUnit, 1));
    }

    [Fact]
    public async Task A_junit_file_with_no_test_cases_is_valid_and_counts_nothing()
    {
        var summary = (await ParseText("<testsuites name=\"empty run\"><testsuite name=\"none\" tests=\"0\"/></testsuites>")).ShouldSucceed();
        (summary.Passed, summary.Failed, summary.Skipped, summary.Tool).ShouldBe((0, 0, 0, "empty run"));
    }

    [Fact]
    public async Task Suite_attributes_are_ignored_and_nested_suites_counted_once()
    {
        const string xml = """
            <testsuites tests="99" failures="42">
              <testsuite name="outer" tests="7"><testsuite name="inner" tests="7">
                <testcase name="a"><system-out>&lt;failure/&gt; is only text here</system-out></testcase>
                <testcase name="b"><failure message="x"/><skipped/></testcase>
              </testsuite><testcase name="c"><error/></testcase></testsuite>
            </testsuites>
            """;
        var summary = (await ParseText(xml)).ShouldSucceed();
        (summary.Passed, summary.Failed, summary.Skipped).ShouldBe((1, 2, 0));
    }

    [Fact]
    public async Task A_testcase_inside_a_testcase_is_refused()
    {
        var error = (await ParseText("<testsuite><testcase name=\"a\"><testcase name=\"b\"/></testcase></testsuite>"))
            .ShouldFailWith<EvidenceUnreadable, EvidenceSummary>();
        error.Detail.ShouldContain("do not nest");
    }

    [Theory]
    [InlineData("Passed", 1, 0, 0)]
    [InlineData("Failed", 0, 1, 0)]
    [InlineData("Error", 0, 1, 0)]
    [InlineData("Timeout", 0, 1, 0)]
    [InlineData("Aborted", 0, 1, 0)]
    [InlineData("NotExecuted", 0, 0, 1)]
    [InlineData("Inconclusive", 0, 0, 1)]
    [InlineData("Pending", 0, 0, 1)]
    [InlineData("Disconnected", 0, 0, 1)]
    [InlineData("Warning", 0, 0, 1)]
    public async Task Every_trx_outcome_counts_as_passed_failed_or_skipped(string outcome, int passed, int failed, int skipped)
    {
        var summary = (await ParseText(Trx($"<UnitTestResult testName=\"t\" outcome=\"{outcome}\"/>"))).ShouldSucceed();
        (summary.Passed, summary.Failed, summary.Skipped).ShouldBe((passed, failed, skipped));
    }

    [Fact]
    public async Task An_unknown_trx_outcome_is_refused_naming_it()
    {
        var error = (await ParseText(Trx("<UnitTestResult testName=\"t\" outcome=\"Sideways\"/>")))
            .ShouldFailWith<EvidenceUnreadable, EvidenceSummary>();
        error.Detail.ShouldContain("\"Sideways\"");
    }

    [Fact]
    public async Task A_data_driven_trx_result_counts_once_not_once_per_row()
    {
        var summary = (await ParseText(Trx("""
            <UnitTestResult testName="rows" outcome="Failed"><InnerResults>
              <UnitTestResult testName="rows (1)" outcome="Passed"/><UnitTestResult testName="rows (2)" outcome="Failed"/>
            </InnerResults></UnitTestResult>
            <UnitTestResult testName="plain" outcome="Passed"/>
            """))).ShouldSucceed();
        (summary.Passed, summary.Failed).ShouldBe((1, 1));
    }

    [Fact]
    public async Task A_TestRun_outside_the_trx_namespace_is_not_trx()
    {
        var error = (await ParseText("<TestRun name=\"x\"/>")).ShouldFailWith<EvidenceFormatUnknown, EvidenceSummary>();
        error.Detail.ShouldContain("<TestRun>");
    }

    [Fact]
    public async Task A_sarif_result_without_level_is_none_when_its_kind_is_not_fail_and_a_warning_otherwise()
    {
        var summary = (await ParseText(Sarif(
            """{"kind":"pass","ruleId":"a"}""",
            """{"kind":"fail","ruleId":"b"}""",
            """{"ruleId":"c"}""",
            """{"kind":"informational","level":"note","ruleId":"d"}""",
            """{"rule":{"id":"e"},"level":"error","locations":[{"physicalLocation":{"artifactLocation":{"uri":"x.cs"}}},{"physicalLocation":{"artifactLocation":{"uri":"y.cs"},"region":{"startLine":9}}}]}"""))).ShouldSucceed();

        summary.FindingCounts.ShouldBe(new FindingCounts(1, 2, 1, 1));
        summary.Findings.Select(f => f.Level).ShouldBe(["none", "warning", "warning", "note", "error"]);
        summary.Findings[4].ShouldBe(new EvidenceFinding("error", "e", null, "x.cs"));
    }

    [Fact]
    public async Task Every_run_counts_but_only_the_first_hundred_findings_are_kept_and_long_texts_are_cut()
    {
        var longText = new string('m', 5_000);
        var result = """{"ruleId":"RULE","level":"note","message":{"text":"TEXT"}}"""
            .Replace("RULE", new string('r', 600)).Replace("TEXT", longText);
        var json = """
            {"version":"2.1.0","runs":[
              {"tool":{"driver":{"name":"first"}},"results":[RESULTS]},
              {"tool":{"driver":{"name":"second"}},"results":[{"level":"error"}]}]}
            """.Replace("RESULTS", string.Join(",", Enumerable.Repeat(result, 150)));

        var summary = (await ParseText(json)).ShouldSucceed();

        summary.FindingCounts.ShouldBe(new FindingCounts(1, 0, 150, 0));
        summary.Findings.Count.ShouldBe(EvidenceParser.MaxFindingsKept);
        summary.Findings[0].Message!.Length.ShouldBe(1_000);
        summary.Findings[0].RuleId!.Length.ShouldBe(500);
        summary.Tool.ShouldBe("first");
    }

    [Fact]
    public async Task Sarif_spread_over_many_buffer_refills_is_read_whole()
    {
        // Tokens far larger than the first read buffer, and results straddling its edges.
        var big = new string('x', 200_000);
        var results = Enumerable.Range(0, 3_000).Select(i => """{"level":"LEVEL","properties":{"pad":"PAD"}}"""
            .Replace("LEVEL", i % 2 == 0 ? "error" : "note").Replace("PAD", i % 1000 == 0 ? big : "p"));
        var json = """{"version":"2.1.0","runs":[{"results":[RESULTS]}]}""".Replace("RESULTS", string.Join(",", results));
        var summary = (await ParseText(json)).ShouldSucceed();

        summary.FindingCounts.ShouldBe(new FindingCounts(1_500, 0, 1_500, 0));
        summary.Tool.ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"version":"2.1.0","runs":[{"results":[{"level":"error"}]}""", "evidence-unreadable")]
    [InlineData("""{"version":"2.1.0","runs":[{"results":[{"level":"fatal"}]}]}""", "evidence-unreadable")]
    [InlineData("""{"$schema":"https://json.schemastore.org/sarif-2.2.0.json","runs":[]}""", "sarif-version-unsupported")]
    [InlineData("""{"version":"2.1.0"}""", "evidence-format-unknown")]
    [InlineData("""[{"version":"2.1.0","runs":[]}]""", "evidence-format-unknown")]
    [InlineData("   \n  ", "evidence-format-unknown")]
    public async Task Json_that_cannot_be_counted_is_refused(string json, string type)
    {
        var result = await ParseText(json);
        result.Error.ShouldNotBeNull().Type.ShouldBe(type);
    }

    [Fact]
    public async Task A_schema_naming_sarif_is_enough_to_call_it_sarif()
    {
        var summary = (await ParseText("""{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0"}""")).ShouldSucceed();
        (summary.Format, summary.FindingCounts.Total).ShouldBe((EvidenceFormat.Sarif, 0));
    }

    [Fact]
    public async Task A_huge_junit_file_is_streamed_with_bounded_allocations()
    {
        var path = Path.Combine(Path.GetTempPath(), $"changetrail-junit-{Guid.NewGuid():N}.xml");
        try
        {
            await using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
            {
                await writer.WriteLineAsync("<testsuites><testsuite name=\"big\">");
                for (var i = 0; i < 200_000; i++)
                    await writer.WriteLineAsync(i % 10 == 0
                        ? $"<testcase classname=\"c\" name=\"t{i}\"><failure message=\"boom\">stack trace of test {i}</failure></testcase>"
                        : $"<testcase classname=\"c\" name=\"t{i}\" time=\"0.001\"/>");
                await writer.WriteLineAsync("</testsuite></testsuites>");
            }
            var size = new FileInfo(path).Length;

            // Reads complete synchronously so every continuation stays on this thread, where the allocations are counted.
            await using var file = new SynchronousReads(File.OpenRead(path));
            var before = GC.GetAllocatedBytesForCurrentThread();
            var summary = (await EvidenceParser.ParseAsync(file, TestContext.Current.CancellationToken)).ShouldSucceed();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            (summary.Passed, summary.Failed).ShouldBe((180_000, 20_000));
            // About 240 KB for a 12 MB file when measured: the reader's buffers, not the file. Holding the file
            // (as a string: twice its size) or a DOM of it would be far above a twentieth of it.
            allocated.ShouldBeLessThan(size / 20);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A file stream whose asynchronous reads complete on the calling thread.</summary>
    private sealed class SynchronousReads(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(inner.Read(buffer.Span));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(inner.Read(buffer, offset, count));
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private static string Trx(string results) =>
        $"""<TestRun name="run" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>{results}</Results></TestRun>""";

    private static string Sarif(params string[] results) =>
        """{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[RESULTS]}]}""".Replace("RESULTS", string.Join(",", results));
}
