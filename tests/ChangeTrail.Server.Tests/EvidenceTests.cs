using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Testing;
using Shouldly;
using static ChangeTrail.Server.Tests.PipelineFlow;

namespace ChangeTrail.Server.Tests;

/// <summary>POST /evidence and GET /evidence/{id}/file through HTTP: formats and counts, refusals that store nothing, size limits.</summary>
public abstract class EvidenceTests(ChangeTrailApp app) : ProviderTests(app)
{
    private string EvidenceDirectory => Path.Combine(App.DataDirectory, "evidence");

    private async Task<(ChangeResponse Change, Person Pipeline)> ChangeAsync()
    {
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(await S.ServiceAsync()));
        return (change, await S.PipelineAsync());
    }

    [Theory]
    [InlineData("junit-node.xml", "junit", 3, 1, 2, false)]
    [InlineData("junit-node-pass.xml", "junit", 3, 0, 0, true)]
    [InlineData("junit-pytest.xml", "junit", 3, 2, 2, false)]
    [InlineData("results.trx", "trx", 3, 1, 1, false)]
    [InlineData("results-pass.trx", "trx", 3, 0, 0, true)]
    public async Task A_test_report_uploads_with_its_format_and_counts(string file, string format, int passed, int failed, int skipped, bool passes)
    {
        var (change, pipeline) = await ChangeAsync();
        var evidence = await pipeline.UploadAsync(file, change.Number, "unit");
        (evidence.Format, evidence.Passed, evidence.Failed, evidence.Skipped, evidence.Passes).ShouldBe((format, passed, failed, skipped, passes));
        evidence.Change.ShouldBe(change.Number);
        evidence.FileName.ShouldBe(file);
        evidence.SizeBytes.ShouldBe(new FileInfo(Fixture(file)).Length);
    }

    [Theory]
    [InlineData("eslint-errors.sarif", "ESLint", 1, 2, 0, false)]
    [InlineData("eslint-clean.sarif", "ESLint", 0, 1, 0, true)]
    [InlineData("semgrep.sarif", "Semgrep OSS", 1, 2, 1, false)]
    public async Task A_sarif_file_uploads_with_its_findings(string file, string tool, int errors, int warnings, int notes, bool passes)
    {
        var (change, pipeline) = await ChangeAsync();
        var evidence = await pipeline.UploadAsync(file, change.Number, "security");
        evidence.Format.ShouldBe("sarif");
        evidence.Tool.ShouldBe(tool);
        evidence.Findings.ShouldBe(new FindingCountsDto(errors, warnings, notes));
        evidence.Passes.ShouldBe(passes);
    }

    [Theory]
    [InlineData("bad/truncated.xml", "evidence-unreadable")]
    [InlineData("bad/billion-laughs.xml", "evidence-unreadable")]
    [InlineData("bad/xxe.xml", "evidence-unreadable")]
    [InlineData("bad/not-evidence.json", "evidence-format-unknown")]
    [InlineData("bad/html.xml", "evidence-format-unknown")]
    [InlineData("bad/binary.bin", "evidence-format-unknown")]
    [InlineData("bad/empty.xml", "evidence-format-unknown")]
    [InlineData("bad/sarif-1.0.0.sarif", "sarif-version-unsupported")]
    public async Task A_bad_file_is_refused_and_nothing_is_stored(string file, string type)
    {
        var (change, pipeline) = await ChangeAsync();
        var before = StoredFiles();
        await pipeline.TryUploadAsync(file, change.Number, "unit").ShouldBeProblemAsync(HttpStatusCode.BadRequest, type);
        (await pipeline.GetAsync(change.Number)).Evidence.ShouldBeEmpty();
        StoredFiles().ShouldBe(before);
        IncomingFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task Missing_fields_and_an_unknown_change_are_422_naming_the_field()
    {
        var (change, pipeline) = await ChangeAsync();
        (await pipeline.TryUploadAsync("junit-node-pass.xml", change.Number, null)
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed")).Errors!.Keys.ShouldBe(["kind"]);
        (await pipeline.TryUploadAsync("junit-node-pass.xml", change.Number, "unit", commit: null)
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed")).Errors!.Keys.ShouldBe(["commit"]);
        (await pipeline.TryUploadAsync("junit-node-pass.xml", "CR-999999", "unit")
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed")).Errors!.Keys.ShouldBe(["change"]);
        (await pipeline.GetAsync(change.Number)).Evidence.ShouldBeEmpty();
        IncomingFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_download_is_the_exact_bytes_uploaded()
    {
        var (change, pipeline) = await ChangeAsync();
        var evidence = await pipeline.UploadAsync("results.trx", change.Number, "integration");
        var bytes = await pipeline.Client.Http.GetByteArrayAsync($"/api/v1/evidence/{evidence.Id}/file", Ct);
        bytes.ShouldBe(File.ReadAllBytes(Fixture("results.trx")));
        Convert.ToHexStringLower(SHA256.HashData(bytes)).ShouldBe(evidence.Sha256);
        (await pipeline.Client.GetJsonAsync<EvidenceResponse>($"/api/v1/evidence/{evidence.Id}")).Sha256.ShouldBe(evidence.Sha256);
    }

    [Fact]
    public async Task A_gigabyte_streamed_without_a_length_is_413_long_before_its_end_and_leaves_nothing()
    {
        var (change, pipeline) = await ChangeAsync();
        var body = new Generated(1L << 30);
        var form = EvidenceForm(null, "", change.Number, Commit, "unit");
        var file = new StreamContent(body);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        form.Add(file, "file", "huge.xml");
        var response = await pipeline.Client.Http.PostAsync("/api/v1/evidence", new Unsized(form), Ct);
        var problem = await ApiClient.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        problem.Type.ShouldBeOneOf("/problems/evidence-too-large", "/problems/payload-too-large");
        // The in-memory test server's client copies the whole request body whatever the server reads (it drains it), so what
        // the generator gave says nothing of what the server read; the 413 and the empty incoming/ folder do.
        (await pipeline.GetAsync(change.Number)).Evidence.ShouldBeEmpty();
        IncomingFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_declared_gigabyte_is_413_at_once()
    {
        var (change, pipeline) = await ChangeAsync();
        var body = new Generated(1L << 30);
        var content = new StreamContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        content.Headers.ContentLength = 1L << 30;
        var response = await pipeline.Client.Http.PostAsync("/api/v1/evidence", content, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        // The in-memory test server's client copies the whole request body whatever the server reads (it drains it), so what
        // the generator gave says nothing of what the server read; the 413 and the empty incoming/ folder do.
        IncomingFiles().ShouldBeEmpty();
        (await pipeline.GetAsync(change.Number)).Evidence.ShouldBeEmpty();
    }

    [Fact]
    public async Task Verification_citing_failing_smoke_evidence_fails_the_change_and_a_contradicting_outcome_is_422()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var n = change.Number;
        var pipeline = await S.PipelineAsync();
        await pipeline.UploadPassingSuitesAsync(n);
        await pipeline.DeployToStagingAsync(n, service);
        App.IntoWindow(change);
        (await pipeline.GateAsync(n, service, "production")).ShouldAllow();
        await pipeline.DeployAsync(n, service, "production", Domain.Pipeline.DeploymentStatus.Started);
        await pipeline.DeployAsync(n, service, "production", Domain.Pipeline.DeploymentStatus.Succeeded);

        var smoke = await pipeline.UploadAsync("junit-node.xml", n, "smoke");
        smoke.Passes.ShouldBeFalse();
        (await pipeline.TryAsync(n, "verify", new VerifyRequest(VerificationOutcome.Success, null, smoke.Id))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed")).Errors!.Keys.ShouldBe(["outcome"]);
        var verified = await pipeline.ActAsync(n, "verify", new VerifyRequest(null, null, smoke.Id));
        verified.State.ShouldBe(ChangeState.Failed);
        verified.VerificationEvidence.ShouldBe(smoke.Id);
    }

    private string[] StoredFiles() => Directory.Exists(EvidenceDirectory)
        ? [.. Directory.GetFiles(EvidenceDirectory, "*", SearchOption.AllDirectories).Where(f => !f.Contains("incoming", StringComparison.Ordinal)).Order()]
        : [];

    private string[] IncomingFiles()
    {
        var incoming = Path.Combine(EvidenceDirectory, "incoming");
        return Directory.Exists(incoming) ? Directory.GetFiles(incoming) : [];
    }

    /// <summary>A JUnit-looking start, then padding, made as it is read; counts what was read.</summary>
    private sealed class Generated(long length) : Stream
    {
        private static readonly byte[] Head = Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><testsuites><testsuite name=\"huge\"><!-- ");

        public long Consumed { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Consumed);
            for (var i = 0; i < n; i++)
            {
                var at = Consumed + i;
                buffer[offset + i] = at < Head.Length ? Head[at] : (byte)'x';
            }
            Consumed += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Consumed; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Another content sent chunked: no Content-Length.</summary>
    private sealed class Unsized : HttpContent
    {
        private readonly HttpContent _inner;

        public Unsized(HttpContent inner)
        {
            _inner = inner;
            Headers.ContentType = inner.Headers.ContentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

public sealed class EvidenceTests_Sqlite(SqliteApp app) : EvidenceTests(app), IClassFixture<SqliteApp>;

public sealed class EvidenceTests_Postgres(PostgresApp app) : EvidenceTests(app), IClassFixture<PostgresApp>;
