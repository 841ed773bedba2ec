using Shouldly;

namespace ChangeTrail.Cli.Tests;

/// <summary>Exit code 2 cases decided before, or instead of, asking the server.</summary>
public sealed class UsageTests
{
    private readonly CliRunner _cli = new(new UnusedServer());

    [Fact]
    public async Task No_token_exits_2_without_sending_a_request()
    {
        var result = await _cli.RunAsync(token: null, "changes", "list");

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldContain("no API token");
        result.Error.ShouldContain("CHANGETRAIL_TOKEN");
        result.Out.ShouldBeEmpty();
        _cli.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task Unknown_option_exits_2_naming_the_option()
    {
        var result = await _cli.RunAsync("ctp_unused", "changes", "list", "--colour", "red");

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldContain("--colour");
        result.Error.ShouldContain("changetrail changes list --help");
        _cli.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task Missing_subcommand_exits_2()
    {
        var result = await _cli.RunAsync("ctp_unused", "changes");

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldContain("Required command was not provided");
        _cli.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task Reject_without_a_comment_exits_2_before_sending()
    {
        var result = await _cli.RunAsync("ctp_unused", "changes", "reject", "CR-1");

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldContain("--comment");
        _cli.Requests.ShouldBe(0);
    }

    [Theory]
    [InlineData("--risk", "downtime", "must be question=option")]
    [InlineData("--start", "next tuesday", "is not an ISO 8601 time")]
    public async Task Malformed_create_values_exit_2(string option, string value, string message)
    {
        var result = await _cli.RunAsync("ctp_unused", "changes", "create", "--type", "Normal", "--title", "t", option, value);

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldContain(message);
        _cli.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task Create_with_both_file_and_field_options_exits_2()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = await _cli.RunAsync("ctp_unused", "changes", "create", "--file", file, "--title", "t");

            result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
            result.Error.ShouldContain("--file cannot be combined with --title");
            _cli.Requests.ShouldBe(0);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Help_exits_0_and_lists_the_change_commands()
    {
        var result = await _cli.RunAsync(token: null, "changes", "--help");

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        foreach (var command in new[] { "list", "show", "create", "submit", "approve", "reject" })
            result.Out.ShouldContain(command);
    }

    [Fact]
    public async Task Unreachable_server_exits_2_with_one_line_naming_the_url()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Dictionary<string, string?> { ["CHANGETRAIL_TOKEN"] = "ctp_unused" };

        // No handler: a real socket to a port nothing listens on.
        var exitCode = await CliApp.RunAsync(["--url", "http://127.0.0.1:1", "changes", "list"], stdout, stderr, environment,
            cancellationToken: TestContext.Current.CancellationToken);

        exitCode.ShouldBe(ExitCodes.UsageOrConnection, stderr.ToString());
        var error = stderr.ToString().TrimEnd();
        error.ShouldStartWith("error: cannot reach the ChangeTrail server at http://127.0.0.1:1/");
        error.ShouldNotContain('\n');
        stdout.ToString().ShouldBeEmpty();
    }
}
