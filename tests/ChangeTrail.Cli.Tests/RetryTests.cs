using System.Text;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Pipeline;
using Shouldly;
using static ChangeTrail.Cli.Tests.StubServer;

namespace ChangeTrail.Cli.Tests;

/// <summary>
/// The pipeline commands' retries, over real sockets against <see cref="StubServer"/>: a request that got no answer is
/// sent again, with the same Idempotency-Key and body; one the server answered with a refusal never is.
/// </summary>
public sealed class RetryTests : IAsyncLifetime
{
    private const string Sha = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0";
    private static readonly Guid GateId = Guid.NewGuid();
    private readonly string _folder = Directory.CreateTempSubdirectory("changetrail-retry-").FullName;
    private readonly SocketsHttpHandler _sockets = new();
    private StubServer _stub = null!;
    private CliRunner _cli = null!;

    public async ValueTask InitializeAsync()
    {
        _stub = await StubServer.StartAsync();
        _cli = new CliRunner(_sockets, _stub.Url);
    }

    public async ValueTask DisposeAsync()
    {
        await _stub.DisposeAsync();
        _sockets.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly string[] Gate = ["gate", "--change", "CR-12", "--service", "api", "--env", "production", "--commit", Sha];

    private static GateResponse Decision(string decision, params GateReasonDto[] reasons) =>
        new(decision, reasons, "CR-12", GateId, "api", "production", true, Sha, null, DateTime.UtcNow, []);

    [Fact]
    public async Task Dropped_connections_are_retried_with_one_idempotency_key_and_the_same_body()
    {
        _stub.On("POST /api/v1/gate", Drop, Drop, Json(200, Decision("allow")));

        var result = await _cli.RunAsync("ctp_test", Gate);

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        result.Out.ShouldBe($"allowed: CR-12 api → production @ a1b2c3d (gate {GateId})\n");
        var sent = _stub.Received;
        sent.Count.ShouldBe(3);
        sent.Select(r => r.IdempotencyKey).Distinct().ShouldHaveSingleItem().ShouldNotBeNullOrEmpty();
        sent.Select(r => Convert.ToBase64String(r.Body)).Distinct().ShouldHaveSingleItem();
        var warnings = result.Error.TrimEnd().Split('\n');
        warnings.Length.ShouldBe(2, result.ToString());
        warnings[0].ShouldStartWith($"warning: cannot reach the ChangeTrail server at {_stub.Url}/");
        warnings[0].ShouldEndWith("(attempt 2 of 5).");
        warnings[1].ShouldEndWith("(attempt 3 of 5).");
    }

    [Theory]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_gateway_that_has_no_answer_is_asked_again(int status)
    {
        _stub.On("POST /api/v1/gate", Status(status), Json(200, Decision("allow")));

        var result = await _cli.RunAsync("ctp_test", Gate);

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        _stub.Received.Count.ShouldBe(2);
        result.Error.ShouldContain($"warning: {status} ");
    }

    [Theory]
    [InlineData(403, "scope-missing", ExitCodes.Denied)]
    [InlineData(422, "validation-failed", ExitCodes.Denied)]
    [InlineData(409, "invalid-transition", ExitCodes.Denied)]
    [InlineData(404, "not-found", ExitCodes.Denied)]
    [InlineData(400, "malformed-request", ExitCodes.UsageOrConnection)]
    [InlineData(401, "unauthorized", ExitCodes.UsageOrConnection)]
    [InlineData(429, "too-many-requests", ExitCodes.UsageOrConnection)]
    [InlineData(500, "internal", ExitCodes.UsageOrConnection)]
    public async Task A_refusal_is_never_retried(int status, string type, int exitCode)
    {
        _stub.On("POST /api/v1/gate", Problem(status, type, "Refused", "The server said no."), Json(200, Decision("allow")));

        var result = await _cli.RunAsync("ctp_test", Gate);

        result.ExitCode.ShouldBe(exitCode, result.ToString());
        _stub.Received.Count.ShouldBe(1);
        result.Error.ShouldStartWith($"error: Refused: The server said no. [{type}]");
        result.Error.ShouldNotContain("retrying");
    }

    [Fact]
    public async Task A_denial_is_an_answer_and_never_retried()
    {
        _stub.On("POST /api/v1/gate", Json(200, Decision("deny", new GateReasonDto("suite-missing", "No security test results were uploaded."),
            new GateReasonDto("outside-window", "Now is outside the planned window."))));

        var result = await _cli.RunAsync("ctp_test", Gate);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Out.ShouldBe("denied: CR-12 api → production @ a1b2c3d\n" +
            "  - suite-missing: No security test results were uploaded.\n" +
            "  - outside-window: Now is outside the planned window.\n");
        _stub.Received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task After_the_last_retry_it_gives_up_with_exit_code_2()
    {
        _stub.On("POST /api/v1/gate", Drop);

        var result = await _cli.RunAsync("ctp_test", [.. Gate, "--retries", "1"]);

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        _stub.Received.Count.ShouldBe(2);
        result.Error.TrimEnd().Split('\n')[^1].ShouldStartWith($"error: cannot reach the ChangeTrail server at {_stub.Url}/");
        result.Error.TrimEnd().ShouldEndWith("(after 2 attempts)");
    }

    [Fact]
    public async Task The_environment_variable_sets_the_retries_and_zero_sends_once()
    {
        _stub.On("POST /api/v1/gate", Drop);

        var result = await _cli.RunWithAsync("ctp_test", null, new Dictionary<string, string?> { ["CHANGETRAIL_RETRIES"] = "0" }, Gate);

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        _stub.Received.Count.ShouldBe(1);
        _stub.Received[0].IdempotencyKey.ShouldBeNull("a request sent once needs no key");
    }

    [Fact]
    public async Task An_upload_is_retried_with_the_same_multipart_body_and_key()
    {
        var file = Path.Combine(_folder, "results.xml");
        await File.WriteAllTextAsync(file, """<testsuite name="s" tests="1"><testcase name="t"/></testsuite>""", TestContext.Current.CancellationToken);
        var evidence = new EvidenceResponse(Guid.NewGuid(), new string('e', 64), "junit", "Unit", 1, 0, 0, new FindingCountsDto(0, 0, 0), true,
            "CR-12", Sha, null, "results.xml", 60, null, [], new PersonRef(Guid.NewGuid(), "pipeline"), DateTime.UtcNow);
        _stub.On("POST /api/v1/evidence", Drop, Problem(409, "idempotency-key-in-flight", "Request in progress", "Retry shortly."),
            Json(201, evidence));

        var result = await _cli.RunAsync("ctp_test", "evidence", "upload", "--change", "CR-12", "--commit", Sha, "--kind", "unit", file);

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        result.Out.ShouldBe($"unit results.xml: junit 1 passed, 0 failed, 0 skipped (sha256 {evidence.Sha256}) — passes\n");
        var sent = _stub.Received;
        sent.Count.ShouldBe(3);
        sent.Select(r => r.IdempotencyKey).Distinct().ShouldHaveSingleItem();
        sent.Select(r => r.ContentType).Distinct().ShouldHaveSingleItem().ShouldStartWith("multipart/form-data; boundary=");
        sent.Select(r => Convert.ToBase64String(r.Body)).Distinct().ShouldHaveSingleItem();
        var body = Encoding.UTF8.GetString(sent[0].Body);
        body.ShouldContain("filename=results.xml");
        body.ShouldContain("""<testcase name="t"/>""");
        body.ShouldContain("name=kind\r\n\r\nunit\r\n");
        body.ShouldContain($"name=commit\r\n\r\n{Sha}\r\n");
        body.ShouldNotContain("name=environment");
    }

    [Fact]
    public async Task A_deployment_whose_end_cannot_be_recorded_exits_2_saying_it_ran_and_how_to_record_it()
    {
        var marker = Path.Combine(_folder, "ran");
        var started = new DeploymentDto(Guid.NewGuid(), "CR-12", Guid.NewGuid(), "Upgrade", "api", "production", true, Sha, null,
            DeploymentStatus.Started, GateId, null, null, new PersonRef(Guid.NewGuid(), "pipeline"), DateTime.UtcNow, null);
        _stub.On("POST /api/v1/gate", Json(200, Decision("allow")));
        _stub.On("POST /api/v1/deployments", Json(201, started), Drop);

        var result = await _cli.RunAsync("ctp_test", "deploy", "--change", "CR-12", "--service", "api", "--env", "production", "--commit", Sha,
            "--retries", "1", "--", "touch", marker);

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        File.Exists(marker).ShouldBeTrue("the deploy command ran");
        result.Error.ShouldContain("error: THE DEPLOYMENT RAN (succeeded) BUT ITS END WAS NOT RECORDED in ChangeTrail. Record it with:\n" +
            $"  changetrail deploy --change CR-12 --service api --env production --commit {Sha} --status succeeded --gate-id {GateId} --exit-code 0\n");
        var deployments = _stub.Received.Where(r => r.Path == "/api/v1/deployments").ToList();
        deployments.Count.ShouldBe(3, "started once, then succeeded twice");
        deployments[1].IdempotencyKey.ShouldBe(deployments[2].IdempotencyKey);
        deployments[0].IdempotencyKey.ShouldNotBe(deployments[1].IdempotencyKey, "each record is an operation of its own");
    }
}
