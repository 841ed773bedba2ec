using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Two server instances on one database: a token that has just worked on instance B (so whatever B keeps in memory is
/// warm) is refused by B on its very next request once A revokes it, deactivates its owner or takes away the role it
/// used. And when the revocation commits while B is loading that token, B may answer that one request, never the next.
/// </summary>
public abstract class CredentialChangesTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Entries = "/api/v1/ledger/entries";

    [Fact]
    public async Task A_token_revoked_on_one_instance_is_refused_by_another_on_its_next_request()
    {
        await using var b = await SecondInstanceAsync();
        var (person, onB) = await RequestorWarmOnAsync(b);

        (await S.Admin.Http.DeleteAsync($"/api/v1/tokens/{await TokenIdAsync(person)}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var problem = await onB.GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        problem.Detail.ShouldBe("The bearer token has been revoked.");
    }

    [Fact]
    public async Task A_person_deactivated_on_one_instance_is_refused_by_another_on_their_next_request()
    {
        await using var b = await SecondInstanceAsync();
        var (person, onB) = await RequestorWarmOnAsync(b);

        (await S.Admin.PostAsync($"/api/v1/users/{person.Id}/deactivate")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await onB.GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_role_taken_away_on_one_instance_is_refused_by_another_on_the_next_request()
    {
        await using var b = await SecondInstanceAsync();
        var auditor = await S.PersonAsync(Role.Auditor);
        var onB = b.As(await S.OwnTokenAsync(auditor, [Scopes.LedgerRead]));
        (await onB.GetAsync(Entries)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await S.Admin.Http.PutAsJsonAsync($"/api/v1/users/{auditor.Id}/roles", new ChangeRolesRequest([Role.Requestor]), ApiJson.Options, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        await onB.GetAsync(Entries).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
    }

    [Fact]
    public async Task A_revocation_that_commits_while_another_instance_loads_the_token_is_refused_on_the_next_request()
    {
        await using var b = await SecondInstanceAsync();
        var person = await S.PersonAsync(Role.Requestor);
        var tokenId = await TokenIdAsync(person);
        var onB = b.As(person.Token);

        // B has not seen this token: its first request loads it. Right after B has read the token's row, and before
        // it keeps it, A revokes the token and commits.
        var revoked = false;
        b.AfterTokenRead = async () =>
        {
            (await S.Admin.Http.DeleteAsync($"/api/v1/tokens/{tokenId}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
            revoked = true;
        };
        (await onB.GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK, "the request read the token before the revocation committed");
        revoked.ShouldBeTrue("the revocation ran inside B's load");

        await onB.GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    /// <summary>A new Requestor whose token has just worked on <paramref name="instance"/>.</summary>
    private async Task<(Person Person, ApiClient OnInstance)> RequestorWarmOnAsync(ChangeTrailApp instance)
    {
        var person = await S.PersonAsync(Role.Requestor);
        var onInstance = instance.As(person.Token);
        (await onInstance.GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);
        return (person, onInstance);
    }

    private async Task<Guid> TokenIdAsync(Person person)
    {
        var users = await S.Admin.GetJsonAsync<List<UserResponse>>("/api/v1/users");
        return users.Single(u => u.Id == person.Id).Tokens.Single().Id;
    }

    private async Task<SecondInstance> SecondInstanceAsync()
    {
        var instance = new SecondInstance(App);
        await instance.InitializeAsync();
        return instance;
    }

    /// <summary>Another server on the first one's database and data folder, running beside it.</summary>
    private sealed class SecondInstance(ChangeTrailApp first) : ChangeTrailApp(first)
    {
        private readonly PauseAfterTokenRead _pause = new();

        /// <summary>Run once, the next time this instance has read a token's row from the database, before it goes on.</summary>
        public Func<Task>? AfterTokenRead
        {
            set => _pause.Armed = value;
        }

        protected override void ConfigureTestServices(IWebHostBuilder builder) => AddDbInterceptor(builder, _pause);
    }

    private sealed class PauseAfterTokenRead : DbCommandInterceptor
    {
        public Func<Task>? Armed { get; set; }

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            if (Armed is not null && command.CommandText.Contains("\"TokenHash\"", StringComparison.Ordinal))
            {
                var act = Armed;
                Armed = null;
                await act();
            }
            return result;
        }
    }
}

public sealed class CredentialChangesTests_Sqlite(SqliteApp app) : CredentialChangesTests(app), IClassFixture<SqliteApp>;

public sealed class CredentialChangesTests_Postgres(PostgresApp app) : CredentialChangesTests(app), IClassFixture<PostgresApp>;
