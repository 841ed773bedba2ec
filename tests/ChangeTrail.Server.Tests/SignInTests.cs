using System.Net;
using System.Security.Cryptography;
using System.Text;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.SignIn;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Signing in, on the page and for a token (<c>POST /auth/tokens</c>): people choose their own password, every refusal
/// looks and costs the same, a stranger's guesses lock out only the stranger's client, and every attempt is in the ledger.
/// </summary>
public abstract class SignInTests(SignInTests.SignInApp app) : ProviderTests(app)
{
    private const string Tokens = "/api/v1/auth/tokens";
    private new SignInApp App => (SignInApp)base.App;

    [Fact]
    public async Task A_temporary_password_gives_no_token_until_the_person_chooses_their_own()
    {
        var (id, email) = await NewPersonAsync(Role.ChangeApprover);
        var tokensBefore = await CountAsync(db => db.ApiTokens);

        await Ask(email, Scenario.TemporaryPassword).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "password-change-required");
        var weak = await Ask(email, Scenario.TemporaryPassword, newPassword: "short").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        weak.Errors!.Keys.ShouldBe(["newPassword"]);
        var same = await Ask(email, Scenario.TemporaryPassword, newPassword: Scenario.TemporaryPassword)
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        same.Errors!["newPassword"].ShouldBe(["Choose a password other than your current one."]);
        (await CountAsync(db => db.ApiTokens)).ShouldBe(tokensBefore, "no token for a temporary password");

        var issued = await ApiClient.ReadAsync<CreatedTokenResponse>(await Ask(email, Scenario.TemporaryPassword, newPassword: "a passphrase of my own"));
        issued.Scopes.ShouldContain(Scopes.ChangesApprove);
        await Ask(email, Scenario.TemporaryPassword).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        (await Ask(email, "a passphrase of my own")).StatusCode.ShouldBe(HttpStatusCode.Created);

        var actions = await ActionsAsync(LedgerSubjects.User.Type, id.ToString());
        actions.ShouldBe(["user.created", "user.password-changed"]);
        (await UserAsync(id)).MustChangePassword.ShouldBeFalse();
    }

    [Fact]
    public async Task Unknown_email_wrong_password_locked_and_deactivated_all_get_one_answer_after_a_password_check()
    {
        var (_, email) = await ActivatedPersonAsync();
        var (gone, goneEmail) = await ActivatedPersonAsync();
        (await S.Admin.PostAsync($"/api/v1/users/{gone}/deactivate")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var (_, lockedEmail) = await ActivatedPersonAsync();
        for (var i = 0; i < PasswordSignIn.ClientLockoutThreshold; i++)
            await Ask(lockedEmail, "a wrong guess", peer: "198.51.100.9");

        var answers = new List<string>();
        foreach (var (who, password, peer) in new[]
                 {
                     ($"nobody-{Scenario.Unique()}@example.test", OwnPassword, "198.51.100.9"),
                     (email, "not the password", "198.51.100.9"),
                     (goneEmail, OwnPassword, "198.51.100.9"),
                     (lockedEmail, OwnPassword, "198.51.100.9"),
                 })
        {
            var checks = App.Hasher.Verifications;
            var refused = await Ask(who, password, peer: peer);
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, who);
            answers.Add(await refused.Content.ReadAsStringAsync(Ct));
            (App.Hasher.Verifications - checks).ShouldBe(1, $"one password hash checked for {who}, as for anyone");
        }
        answers.Distinct().ShouldHaveSingleItem();
        answers[0].ShouldContain("invalid-credentials");
    }

    [Fact]
    public async Task Five_failures_from_one_client_lock_that_client_out_of_the_account_and_not_its_owner_elsewhere()
    {
        var (id, email) = await ActivatedPersonAsync();
        const string stranger = "203.0.113.66";
        const string owner = "192.0.2.44";

        for (var i = 0; i < PasswordSignIn.ClientLockoutThreshold; i++)
            await Ask(email, $"guess {i}", peer: stranger).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");

        await Ask(email, OwnPassword, peer: stranger).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        (await Ask(email, OwnPassword, peer: owner)).StatusCode.ShouldBe(HttpStatusCode.Created, "the owner, elsewhere, is not locked out");
        var attempts = await EntriesAsync(LedgerSubjects.SignInAttempt.Type, id.ToString());
        attempts.Count(e => e.Action == "sign-in.failed" && e.Record!.Contains("wrong-password")).ShouldBe(PasswordSignIn.ClientLockoutThreshold);
        attempts.Count(e => e.Action == "sign-in.locked-out").ShouldBe(1);
        attempts.Single(e => e.Record!.Contains("\"reason\":\"locked-out\"")).ActorId.ShouldBe(SystemActor.Id, "nobody proved who they were");

        App.Time.Advance(PasswordSignIn.ClientLockout + TimeSpan.FromSeconds(1));
        (await Ask(email, OwnPassword, peer: stranger)).StatusCode.ShouldBe(HttpStatusCode.Created, "the client's lockout ends");
    }

    [Fact]
    public async Task Sign_in_and_sign_out_are_ledger_entries_and_a_refused_one_names_no_typed_address()
    {
        var (id, email) = await ActivatedPersonAsync();
        var browser = await App.SignInAsync(email, OwnPassword);
        var signedIn = (await EntriesAsync(LedgerSubjects.Session.Type, null)).Where(e => e.ActorId == id).ShouldHaveSingleItem();
        signedIn.Action.ShouldBe("session.signed-in");
        signedIn.Record!.ShouldContain("\"method\":\"password\"");

        (await browser.PostFormAsync("/changes", "/logout")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var session = await EntriesAsync(LedgerSubjects.Session.Type, signedIn.SubjectId);
        session.Select(e => e.Action).ShouldBe(["session.signed-in", "session.signed-out"]);

        var typed = $"Someone-{Scenario.Unique()}@Example.test";
        await Ask(typed, "whatever").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        var unknown = (await EntriesAsync(LedgerSubjects.SignInAttempt.Type, "unknown"))[^1];
        unknown.Record!.ShouldNotContain(typed, Case.Insensitive);
        unknown.Record!.ShouldContain(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(typed.ToUpperInvariant()))));
        unknown.Record!.ShouldContain("\"reason\":\"unknown-account\"");
    }

    [Fact]
    public async Task An_invitation_sets_the_password_once_within_seven_days_and_a_new_one_replaces_it()
    {
        var email = $"invited-{Scenario.Unique()}@example.test";
        var created = await S.Admin.PostJsonAsync<CreatedUserResponse>("/api/v1/users", new CreateUserRequest(email, "Ivy Invited", [Role.Requestor], null));
        created.InvitationUrl.ShouldNotBeNull().ShouldContain("/invitation?code=");
        created.InvitationExpiresAt.ShouldNotBeNull().ShouldBe(App.Time.GetUtcNow().UtcDateTime.AddDays(7), TimeSpan.FromSeconds(1));
        await Ask(email, "anything at all").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");

        // Expired after seven days; the admin sends a new link, and only the new one works.
        App.Time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        (await App.CreateClient().GetStringAsync(Path(created.InvitationUrl!), Ct)).ShouldContain("This invitation link does not work");
        var renewed = await S.Admin.PostJsonAsync<InvitationResponse>($"/api/v1/users/{created.Id}/invitation");
        renewed.InvitationUrl.ShouldNotBe(created.InvitationUrl);
        await App.AcceptInvitationAsync(renewed.InvitationUrl, "ivy's own passphrase");

        (await App.CreateClient().GetStringAsync(Path(renewed.InvitationUrl), Ct)).ShouldContain("This invitation link does not work", customMessage: "used once");
        (await Ask(email, "ivy's own passphrase")).StatusCode.ShouldBe(HttpStatusCode.Created);
        await S.Admin.PostAsync($"/api/v1/users/{created.Id}/invitation").ShouldBeProblemAsync(HttpStatusCode.Conflict, "already-activated");
        (await ActionsAsync(LedgerSubjects.User.Type, created.Id.ToString())).ShouldBe(["user.created", "user.invited", "user.invitation-accepted"]);
    }

    [Fact]
    public async Task A_sign_in_form_holding_a_null_character_is_refused_in_words_on_every_database()
    {
        var browser = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var refused = await browser.PostFormAsync("/login", "/login", ("Email", "someone\0@example.test"), ("Password", "whatever it is"));

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        System.Text.RegularExpressions.Regex.Match(await refused.Content.ReadAsStringAsync(Ct), "<h1>(.*?)</h1>").Groups[1].Value
            .ShouldBe("Request refused");
        (await browser.GetAsync("/login?returnUrl=%2Fchanges%00", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_malformed_token_request_is_refused_before_the_password_is_tried()
    {
        var (id, email) = await ActivatedPersonAsync();

        var problem = await App.Anonymous().PostAsync(Tokens, new PersonalTokenRequest(email, "wrong", "", ["no-such-scope"], null))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");

        problem.Errors!.Keys.ShouldBe(["name", "scopes[0]"], ignoreOrder: true);
        (await EntriesAsync(LedgerSubjects.SignInAttempt.Type, id.ToString())).ShouldBeEmpty("no attempt on the password was made");
    }

    private Task<HttpResponseMessage> Ask(string email, string password, string? newPassword = null, string? peer = null) =>
        App.Anonymous().PostAsync(Tokens, new PersonalTokenRequest(email, password, "laptop", Scenario.PersonScopes, null, newPassword),
            peer is null ? null : new Dictionary<string, string> { [TestPeer.Header] = peer });

    private const string OwnPassword = "an own password of mine";

    private async Task<(Guid Id, string Email)> NewPersonAsync(params Role[] roles)
    {
        var email = $"person-{Scenario.Unique()}@example.test";
        var created = await S.Admin.PostJsonAsync<CreatedUserResponse>("/api/v1/users", new CreateUserRequest(email, "Pat Person", roles, Scenario.TemporaryPassword));
        return (created.Id, email);
    }

    private async Task<(Guid Id, string Email)> ActivatedPersonAsync()
    {
        var (id, email) = await NewPersonAsync(Role.Requestor);
        (await Ask(email, Scenario.TemporaryPassword, OwnPassword)).StatusCode.ShouldBe(HttpStatusCode.Created);
        return (id, email);
    }

    private static string Path(string url) => new Uri(url).PathAndQuery;

    private async Task<int> CountAsync<T>(Func<ChangeTrailDbContext, IQueryable<T>> rows)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await rows(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>()).CountAsync(Ct);
    }

    private async Task<AppUser> UserAsync(Guid id)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().Users.AsNoTracking().SingleAsync(u => u.Id == id, Ct);
    }

    private async Task<List<string>> ActionsAsync(string type, string id) => (await EntriesAsync(type, id)).Select(e => e.Action).ToList();

    private async Task<List<LedgerEntry>> EntriesAsync(string type, string? id)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().LedgerEntries.AsNoTracking()
            .Where(e => e.SubjectType == type && (id == null || e.SubjectId == id)).OrderBy(e => e.Index).ToListAsync(Ct);
    }

    /// <summary>A server whose clients the test names (<see cref="TestPeer"/>) and whose password checks it counts.</summary>
    public class SignInApp(TestProvider provider) : ChangeTrailApp(provider)
    {
        public CountingHasher Hasher { get; } = new();

        protected override void ConfigureTestServices(IWebHostBuilder builder) =>
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestPeer>();
                services.Replace(ServiceDescriptor.Singleton<IPasswordHasher<AppUser>>(provider =>
                    Hasher.Wrapping(new PasswordHasher<AppUser>(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<PasswordHasherOptions>>()))));
            });
    }

    /// <summary>ASP.NET Core Identity's own hasher, counting how often a password is checked against a hash.</summary>
    public sealed class CountingHasher : IPasswordHasher<AppUser>
    {
        private IPasswordHasher<AppUser> _inner = null!;
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public CountingHasher Wrapping(IPasswordHasher<AppUser> inner)
        {
            _inner = inner;
            return this;
        }

        public string HashPassword(AppUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    public sealed class SqliteSignInApp() : SignInApp(TestProvider.Sqlite);

    public sealed class PostgresSignInApp() : SignInApp(TestProvider.Postgres);
}

public sealed class SignInTests_Sqlite(SignInTests.SqliteSignInApp app) : SignInTests(app), IClassFixture<SignInTests.SqliteSignInApp>;

public sealed class SignInTests_Postgres(SignInTests.PostgresSignInApp app) : SignInTests(app), IClassFixture<SignInTests.PostgresSignInApp>;
