using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Cli.Tests;

/// <summary>
/// <c>login</c> and <c>logout</c> against the real server, in-process on SQLite: the person is added by an Admin with a
/// temporary password, signs in through the CLI (passwords piped on stdin), and the saved token then does what tokens do.
/// Every runner has its own configuration folder under the temporary folder, never the real home.
/// </summary>
public sealed class LoginCommandTests(SqliteApp app) : IClassFixture<SqliteApp>, IDisposable
{
    /// <summary>An address no test server listens on by name: requests to it prove the saved URL was used.</summary>
    private const string SavedUrl = "https://changetrail.test";

    private const string ChosenPassword = "chosen-by-me-at-the-cli";
    private const string InvalidCredentials =
        "error: Sign-in refused: The email or password is wrong, or this account cannot sign in now. [invalid-credentials]\n";

    private readonly Scenario _scenario = new(app);
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"changetrail-login-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_home))
            Directory.Delete(_home, recursive: true);
    }

    /// <summary>A runner with no CHANGETRAIL_URL: the server comes from --url or the saved configuration.</summary>
    private CliRunner Cli(HttpMessageHandler? handler = null) => new(handler ?? app.Server.CreateHandler(), url: null, configHome: _home);

    /// <summary>A person the Admin added with a temporary password, who has not signed in yet.</summary>
    private async Task<(Guid Id, string Email)> NewcomerAsync(params Role[] roles)
    {
        var email = $"newcomer-{Scenario.Unique()}@example.test";
        var created = await _scenario.Admin.PostJsonAsync<CreatedUserResponse>("/api/v1/users",
            new CreateUserRequest(email, $"Newcomer {email}", roles, Scenario.TemporaryPassword));
        return (created.Id, email);
    }

    private static Task<CliResult> LoginAsync(CliRunner cli, string email, string stdin, params string[] more) =>
        cli.RunWithAsync(null, stdin, null, ["login", "--email", email, "--url", SavedUrl, .. more]);

    private static JsonObject ReadConfig(CliRunner cli) => JsonNode.Parse(File.ReadAllText(cli.ConfigFile))!.AsObject();

    private async Task<TokenResponse> ServerTokenAsync(Guid userId, Guid tokenId) =>
        (await _scenario.Admin.GetJsonAsync<List<UserResponse>>("/api/v1/users")).Single(u => u.Id == userId).Tokens.Single(t => t.Id == tokenId);

    private async Task<string> SubmittedChangeAsync()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var service = await _scenario.ServiceAsync();
        var change = await requestor.Client.PostJsonAsync<ChangeResponse>("/api/v1/changes", _scenario.CompleteChange(service));
        (await requestor.Client.PostAsync($"/api/v1/changes/{change.Id}/submit")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return change.Number;
    }

    [Fact]
    public async Task Login_with_a_temporary_password_chooses_a_new_one_and_the_saved_token_approves_a_change()
    {
        var (id, email) = await NewcomerAsync(Role.ChangeApprover);
        var number = await SubmittedChangeAsync();
        var cli = Cli();

        var login = await LoginAsync(cli, email, $"{Scenario.TemporaryPassword}\n{ChosenPassword}\n{ChosenPassword}\n",
            "--name", "Ada's laptop");

        login.ExitCode.ShouldBe(ExitCodes.Success, login.ToString());
        login.Error.ShouldContain("set by an administrator and is only temporary: choose a new one of your own");
        var config = ReadConfig(cli);
        var token = config["token"]!.GetValue<string>();
        var tokenId = Guid.Parse(config["tokenId"]!.GetValue<string>());
        token.ShouldStartWith("ctp_");
        config["url"]!.GetValue<string>().ShouldBe(SavedUrl);
        config["email"]!.GetValue<string>().ShouldBe(email);
        var expiresAt = config["expiresAt"]!.GetValue<DateTime>();
        var lines = login.Out.Split('\n');
        lines[0].ShouldBe($"Signed in to {SavedUrl} as {email}.");
        lines[1].ShouldBe($"Token \"Ada's laptop\" ({tokenId}) with changes:approve, changes:read, changes:write; " +
            $"expires {expiresAt.ToUniversalTime():yyyy-MM-dd HH:mm} UTC.");
        lines[2].ShouldBe($"Saved in {cli.ConfigFile}.");
        login.Out.ShouldNotContain(token);
        login.Error.ShouldNotContain(token);

        // The token is the person's own, made by proving who they are, with the everyday scopes.
        var stored = await ServerTokenAsync(id, tokenId);
        stored.PersonallyIssued.ShouldBeTrue();
        stored.Name.ShouldBe("Ada's laptop");
        stored.Scopes.ShouldBe([Scopes.ChangesApprove, Scopes.ChangesRead, Scopes.ChangesWrite], ignoreOrder: true);
        // The temporary password is spent; the chosen one is now the password.
        (await app.Anonymous().PostAsync("/api/v1/auth/tokens",
            new PersonalTokenRequest(email, Scenario.TemporaryPassword, "again", [Scopes.ChangesRead], null))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await app.Anonymous().PostAsync("/api/v1/auth/tokens",
            new PersonalTokenRequest(email, ChosenPassword, "again", [Scopes.ChangesRead], null))).StatusCode.ShouldBe(HttpStatusCode.Created);

        // No --url, --token or environment: the saved server and token approve someone else's change.
        var sentBefore = cli.Requests;
        var approved = await cli.RunAsync(null, "changes", "approve", number, "--comment", "Checked from the CLI");

        approved.ExitCode.ShouldBe(ExitCodes.Success, approved.ToString());
        approved.Out.ShouldBe($"Approved {number}: state Approved.\n");
        cli.Sent.Skip(sentBefore).ShouldBe([$"POST {SavedUrl}/api/v1/changes/{number}/approvals"]);
        var change = await _scenario.Admin.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{number}");
        change.State.ShouldBe(ChangeState.Approved);
        change.Approvals.Single().Approver.Id.ShouldBe(id);
        change.Approvals.Single().Comment.ShouldBe("Checked from the CLI");
    }

    [Fact]
    public async Task The_config_file_is_mode_600_holds_no_password_and_is_replaced_whole()
    {
        var person = await _scenario.PersonAsync(Role.Requestor);
        var cli = Cli();

        var first = await LoginAsync(cli, person.Email, $"{person.Password}\n");
        first.ExitCode.ShouldBe(ExitCodes.Success, first.ToString());
        var firstTokenId = Guid.Parse(ReadConfig(cli)["tokenId"]!.GetValue<string>());
        var second = await LoginAsync(cli, person.Email, $"{person.Password}\n");
        second.ExitCode.ShouldBe(ExitCodes.Success, second.ToString());

        var text = await File.ReadAllTextAsync(cli.ConfigFile, TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(cli.ConfigFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        text.ShouldNotContain(person.Password);
        text.ShouldNotContain(Scenario.TemporaryPassword);
        ReadConfig(cli).Select(p => p.Key).ShouldBe(["url", "token", "tokenId", "email", "expiresAt"]);
        // Written through a temporary file renamed over it: nothing else is left in the folder.
        Directory.GetFileSystemEntries(Path.GetDirectoryName(cli.ConfigFile)!).ShouldBe([cli.ConfigFile]);

        // Logging in again replaced the saved token and revoked the one nothing holds any more.
        var secondTokenId = Guid.Parse(ReadConfig(cli)["tokenId"]!.GetValue<string>());
        secondTokenId.ShouldNotBe(firstTokenId);
        second.Error.ShouldContain($"Revoked the token of the previous login ({firstTokenId}).");
        (await ServerTokenAsync(person.Id, firstTokenId)).RevokedAt.ShouldNotBeNull();
        (await ServerTokenAsync(person.Id, secondTokenId)).RevokedAt.ShouldBeNull();
    }

    [Fact]
    public async Task A_wrong_password_exits_1_with_the_servers_one_message_and_writes_nothing()
    {
        var person = await _scenario.PersonAsync(Role.Requestor);
        var cli = Cli();

        var wrong = await LoginAsync(cli, person.Email, "not-my-password\n");

        wrong.ExitCode.ShouldBe(ExitCodes.Denied, wrong.ToString());
        wrong.Error.ShouldBe(InvalidCredentials);
        wrong.Out.ShouldBeEmpty();
        Directory.Exists(_home).ShouldBeFalse();

        // An unknown account gets the very same words: the CLI adds nothing that tells them apart.
        var unknown = await LoginAsync(cli, $"nobody-{Scenario.Unique()}@example.test", "whatever-it-is\n");
        unknown.ExitCode.ShouldBe(ExitCodes.Denied, unknown.ToString());
        unknown.Error.ShouldBe(InvalidCredentials);
        Directory.Exists(_home).ShouldBeFalse();
    }

    [Fact]
    public async Task The_password_is_never_an_option_and_without_stdin_nothing_is_sent()
    {
        var cli = Cli(new UnusedServer());

        var option = await cli.RunWithAsync(null, null, null, "login", "--email", "a@example.test", "--password", "secret");
        option.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, option.ToString());
        option.Error.ShouldContain("--password");

        var empty = await cli.RunWithAsync(null, "", null, "login", "--email", "a@example.test");
        empty.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, empty.ToString());
        empty.Error.ShouldStartWith("error: no password given");

        var noEmail = await cli.RunWithAsync(null, "pw\n", null, "login");
        noEmail.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, noEmail.ToString());
        noEmail.Error.ShouldContain("--email is required");

        cli.Requests.ShouldBe(0);
        Directory.Exists(_home).ShouldBeFalse();
    }

    [Fact]
    public async Task New_passwords_that_differ_or_that_the_server_refuses_change_nothing()
    {
        var (_, email) = await NewcomerAsync(Role.Requestor);
        var cli = Cli();

        var differ = await LoginAsync(cli, email, $"{Scenario.TemporaryPassword}\n{ChosenPassword}\n{ChosenPassword}-typo\n");
        differ.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, differ.ToString());
        differ.Error.ShouldContain("error: the two new passwords differ; nothing was changed.");

        var tooShort = await LoginAsync(cli, email, $"{Scenario.TemporaryPassword}\nshort\nshort\n");
        tooShort.ExitCode.ShouldBe(ExitCodes.Denied, tooShort.ToString());
        tooShort.Error.ShouldContain("[validation-failed]");
        tooShort.Error.ShouldContain("  newPassword: Passwords must be at least 12 characters.");
        Directory.Exists(_home).ShouldBeFalse();

        // Still temporary: signing in with it asks for a new password again.
        var still = await app.Anonymous().PostAsync("/api/v1/auth/tokens",
            new PersonalTokenRequest(email, Scenario.TemporaryPassword, "t", [Scopes.ChangesRead], null));
        (await ApiClient.ProblemAsync(still, HttpStatusCode.Forbidden)).Type.ShouldBe("/problems/password-change-required");
    }

    [Fact]
    public async Task Json_prints_the_token_id_expiry_and_path_but_never_the_token()
    {
        var person = await _scenario.PersonAsync(Role.Requestor);
        var cli = Cli();

        var login = await cli.RunWithAsync(null, $"{person.Password}\n", new Dictionary<string, string?> { ["HOSTNAME"] = "build-42" },
            "login", "--email", person.Email, "--url", SavedUrl, "--scope", Scopes.ChangesRead, "--json");

        login.ExitCode.ShouldBe(ExitCodes.Success, login.ToString());
        var config = ReadConfig(cli);
        login.Out.ShouldNotContain(config["token"]!.GetValue<string>());
        var printed = JsonNode.Parse(login.Out)!.AsObject();
        printed.Select(p => p.Key).ShouldBe(["tokenId", "expiresAt", "path"]);
        printed["tokenId"]!.GetValue<string>().ShouldBe(config["tokenId"]!.GetValue<string>());
        printed["expiresAt"]!.GetValue<DateTime>().ShouldBe(config["expiresAt"]!.GetValue<DateTime>());
        printed["path"]!.GetValue<string>().ShouldBe(cli.ConfigFile);
        var stored = await ServerTokenAsync(person.Id, Guid.Parse(printed["tokenId"]!.GetValue<string>()));
        stored.Name.ShouldBe("changetrail CLI on build-42");
        stored.Scopes.ShouldBe([Scopes.ChangesRead]);
    }

    [Fact]
    public async Task Token_flag_and_environment_override_the_saved_token_which_goes_to_its_own_server_only()
    {
        var person = await _scenario.PersonAsync(Role.Requestor);
        var cli = Cli();
        (await LoginAsync(cli, person.Email, $"{person.Password}\n")).ExitCode.ShouldBe(ExitCodes.Success);

        var saved = await cli.RunAsync(null, "changes", "list");
        saved.ExitCode.ShouldBe(ExitCodes.Success, saved.ToString());

        // A token the server does not know, from the environment or the flag, is used instead of the good saved one.
        var environment = await cli.RunAsync("ctp_not_a_real_token", "changes", "list");
        environment.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, environment.ToString());
        environment.Error.ShouldContain("hint: check --token or CHANGETRAIL_TOKEN.");

        var flag = await cli.RunAsync(null, "changes", "list", "--token", "ctp_not_a_real_token");
        flag.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, flag.ToString());
        flag.Error.ShouldContain("hint: check --token or CHANGETRAIL_TOKEN.");

        // The flag wins over the environment too: a good flag with a bad variable works.
        var both = await cli.RunAsync("ctp_not_a_real_token", "changes", "list", "--token", person.Token);
        both.ExitCode.ShouldBe(ExitCodes.Success, both.ToString());

        // Another server named by the environment does not get the saved token: nothing is sent.
        var sent = cli.Requests;
        var elsewhere = await cli.RunWithAsync(null, null, new Dictionary<string, string?> { ["CHANGETRAIL_URL"] = "http://elsewhere.test" },
            "changes", "list");
        elsewhere.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, elsewhere.ToString());
        elsewhere.Error.ShouldContain($"no API token for http://elsewhere.test: the token 'changetrail login' saved in {cli.ConfigFile} is for {SavedUrl} only");
        cli.Requests.ShouldBe(sent);
    }

    [Fact]
    public async Task Logout_revokes_the_saved_token_and_removes_it_keeping_server_and_email()
    {
        var person = await _scenario.PersonAsync(Role.Requestor);
        var cli = Cli();
        (await LoginAsync(cli, person.Email, $"{person.Password}\n")).ExitCode.ShouldBe(ExitCodes.Success);
        var token = ReadConfig(cli)["token"]!.GetValue<string>();
        var tokenId = ReadConfig(cli)["tokenId"]!.GetValue<string>();
        (await app.As(token).GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var logout = await cli.RunAsync(null, "logout");

        logout.ExitCode.ShouldBe(ExitCodes.Success, logout.ToString());
        logout.Out.ShouldBe($"Signed out: revoked the token {tokenId} on {SavedUrl} and removed it from {cli.ConfigFile}.\n");
        cli.Sent[^1].ShouldBe($"DELETE {SavedUrl}/api/v1/tokens/{tokenId}");
        (await app.As(token).GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var config = ReadConfig(cli);
        config.Select(p => p.Key).ShouldBe(["url", "email"]);
        File.ReadAllText(cli.ConfigFile).ShouldNotContain("ctp_");

        var after = await cli.RunAsync(null, "changes", "list");
        after.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, after.ToString());
        after.Error.ShouldContain("no API token; run 'changetrail login'");

        var again = await cli.RunAsync(null, "logout");
        again.ExitCode.ShouldBe(ExitCodes.Success, again.ToString());
        again.Out.ShouldBe($"Not signed in: no token is saved in {cli.ConfigFile}.\n");

        // The saved server and email are the next login's defaults: only the password is asked.
        var relogin = await cli.RunWithAsync(null, $"{person.Password}\n", null, "login");
        relogin.ExitCode.ShouldBe(ExitCodes.Success, relogin.ToString());
        relogin.Out.ShouldStartWith($"Signed in to {SavedUrl} as {person.Email}.");
    }

    [Fact]
    public async Task Logout_with_the_server_unreachable_removes_the_token_locally_with_a_warning()
    {
        var person = await _scenario.PersonAsync(Role.Requestor);
        (await LoginAsync(Cli(), person.Email, $"{person.Password}\n")).ExitCode.ShouldBe(ExitCodes.Success);
        var cli = Cli(new UnreachableServer());
        var token = ReadConfig(cli)["token"]!.GetValue<string>();
        var tokenId = ReadConfig(cli)["tokenId"]!.GetValue<string>();

        var logout = await cli.RunAsync(null, "logout");

        logout.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, logout.ToString());
        logout.Error.ShouldContain($"error: cannot reach the ChangeTrail server at {SavedUrl}/");
        logout.Error.ShouldContain($"warning: the token {tokenId} was not revoked: it stays valid until ");
        logout.Out.ShouldBeEmpty();
        ReadConfig(cli).ContainsKey("token").ShouldBeFalse();
        // As the warning says: the server never heard of it, so the token still works.
        (await app.As(token).GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_saved_token_the_server_refuses_says_to_log_in_again()
    {
        var person = await _scenario.PersonAsync(Role.Requestor);
        var cli = Cli();
        (await LoginAsync(cli, person.Email, $"{person.Password}\n")).ExitCode.ShouldBe(ExitCodes.Success);
        var tokenId = ReadConfig(cli)["tokenId"]!.GetValue<string>();
        (await _scenario.Admin.Http.DeleteAsync($"/api/v1/tokens/{tokenId}", TestContext.Current.CancellationToken)).StatusCode
            .ShouldBe(HttpStatusCode.NoContent);

        var result = await cli.RunAsync(null, "changes", "list");

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldContain($"hint: the token saved in {cli.ConfigFile} was refused: it has expired or was revoked; run 'changetrail login' again.");

        // Logging out then has nothing to revoke, and says so.
        var logout = await cli.RunAsync(null, "logout");
        logout.ExitCode.ShouldBe(ExitCodes.Success, logout.ToString());
        logout.Out.ShouldBe($"Signed out: the token {tokenId} had already expired or been revoked; removed it from {cli.ConfigFile}.\n");
        logout.Error.ShouldBeEmpty();
        ReadConfig(cli).ContainsKey("token").ShouldBeFalse();
    }

    [Fact]
    public async Task A_rate_limited_login_exits_2_saying_when_to_try_again()
    {
        var cli = Cli(new RateLimitedServer());

        var result = await cli.RunWithAsync(null, "pw\n", null, "login", "--email", "a@example.test", "--url", "http://changetrail.test");

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldBe(
            "warning: http://changetrail.test/ is not https: your password and the token cross the network unencrypted.\n" +
            "error: Too Many Requests [too-many-requests]\n" +
            "  hint: too many requests from this address; try again in 42 s.\n");
        Directory.Exists(_home).ShouldBeFalse();
    }

    /// <summary>No server at all: every request fails as a refused connection does.</summary>
    private sealed class UnreachableServer : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("Connection refused (changetrail.test:80)");
    }

    /// <summary>A server over its sign-in limit: 429 with Retry-After, as ASP.NET Core's rate limiter answers.</summary>
    private sealed class RateLimitedServer : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                Content = new StringContent("""{"type":"/problems/too-many-requests","title":"Too Many Requests","status":429}""",
                    System.Text.Encoding.UTF8, "application/problem+json"),
            };
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(42));
            return Task.FromResult(response);
        }
    }
}
