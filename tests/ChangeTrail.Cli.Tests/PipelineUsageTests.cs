using Shouldly;

namespace ChangeTrail.Cli.Tests;

/// <summary>The pipeline commands' usage errors: exit code 2, decided before anything is sent, and nothing run.</summary>
public sealed class PipelineUsageTests
{
    private const string Sha = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0";
    private readonly CliRunner _cli = new(new UnusedServer());

    public static TheoryData<string[], string> Misuses => new()
    {
        { ["gate", "--service", "api", "--env", "production", "--commit", Sha], "Give either --change or --template" },
        { ["gate", "--change", "CR-1", "--template", "patching", "--service", "api", "--env", "production", "--commit", Sha], "Give either --change or --template" },
        { ["gate", "--change", "CR-1", "--service", "api", "--commit", Sha], "--env" },
        { ["gate", "--change", "CR-1", "--service", "api", "--env", "production", "--commit", Sha, "--retries", "99"], "--retries must be from 0 to 20" },
        { ["deploy", "--change", "CR-1", "--service", "api", "--env", "production", "--commit", Sha], "Give either --status" },
        { ["deploy", "--change", "CR-1", "--service", "api", "--env", "production", "--commit", Sha, "--status", "started", "--", "true"], "Give either --status" },
        { ["deploy", "--change", "CR-1", "--service", "api", "--env", "production", "--commit", Sha, "--status", "done"], "done" },
        { ["deploy", "--change", "CR-1", "--service", "api", "--env", "production", "--commit", Sha, "--exit-code", "3", "--", "true"], "--exit-code goes with --status only" },
        { ["deploy", "--service", "api", "--env", "production", "--commit", Sha, "--status", "started"], "--change" },
        { ["evidence", "upload", "--commit", Sha, "--kind", "unit", "/no/such/results.xml"], "/no/such/results.xml" },
        { ["evidence", "upload", "--commit", Sha, "--kind", "lint", "/no/such/results.xml"], "lint" },
        { ["evidence", "upload", "--commit", Sha, "--kind", "unit"], "Required argument 'FILE' missing" },
        { ["verify", "--change", "CR-1"], "Give --outcome success|failed, or --evidence" },
        { ["verify", "--change", "CR-1", "--outcome", "maybe"], "maybe" },
        { ["verify", "--change", "CR-1", "--outcome", "success", "--commit", Sha], "--commit describes the --evidence file" },
        { ["rollback"], "--change" },
    };

    [Theory]
    [MemberData(nameof(Misuses))]
    public async Task Misuse_exits_2_naming_the_problem_without_sending_anything(string[] args, string message)
    {
        var result = await _cli.RunAsync("ctp_unused", args);

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldContain(message);
        result.Error.ShouldContain($"Run 'changetrail {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2))} --help' for usage.");
        result.Out.ShouldBeEmpty();
        _cli.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task A_retries_variable_that_is_no_number_exits_2_before_sending()
    {
        var result = await _cli.RunWithAsync("ctp_unused", null, new Dictionary<string, string?> { ["CHANGETRAIL_RETRIES"] = "lots" },
            "gate", "--change", "CR-1", "--service", "api", "--env", "production", "--commit", Sha);

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldBe("error: CHANGETRAIL_RETRIES='lots' is not a number of retries from 0 to 20.\n");
        _cli.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task Deploy_without_a_token_neither_asks_nor_runs_the_command()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"changetrail-marker-{Guid.NewGuid():N}");

        var result = await _cli.RunAsync(token: null, "deploy", "--change", "CR-1", "--service", "api", "--env", "production", "--commit", Sha,
            "--", "touch", marker);

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldContain("no API token");
        File.Exists(marker).ShouldBeFalse();
        _cli.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task Help_lists_the_pipeline_commands()
    {
        var result = await _cli.RunAsync(token: null, "--help");

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        foreach (var command in new[] { "gate", "deploy", "evidence", "verify", "rollback" })
            result.Out.ShouldContain($"  {command} ");
    }
}
