using System.Data.Common;
using System.Net;
using System.Text;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Idempotency keys are scoped and never hold secrets (issue 9, the fifth attack): a reply is replayed only to the
/// credential that got it, after that credential passed authorization, it is stored encrypted, anonymous requests are not
/// recorded, and a key is free again after 24 hours.
/// </summary>
public abstract class IdempotencyTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task A_reply_holding_a_token_secret_is_replayed_to_its_own_credential_only_and_stored_encrypted()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var key = new Dictionary<string, string> { [IdempotencyMiddleware.Header] = $"mint-{Scenario.Unique()}" };
        var request = new CreateTokenRequest("ci", [Scopes.ChangesRead], null);
        var path = $"/api/v1/users/{person.Id}/tokens";
        var first = await ApiClient.ReadAsync<CreatedTokenResponse>(await S.Admin.PostAsync(path, request, key));

        // Another token of the same admin, with only changes:read: refused by authorization before any replay.
        var readOnly = await S.Admin.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{App.AdminId}/tokens",
            new CreateTokenRequest("read only", [Scopes.ChangesRead], null));
        var refused = await App.As(readOnly.Token).PostAsync(path, request, key);
        (await ApiClient.ProblemAsync(refused, HttpStatusCode.Forbidden)).Type.ShouldBe("/problems/role-required");
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldNotContain(first.Token);

        // Another admin token with the admin scope: its own request, run for real, not the first one's reply.
        var otherAdmin = await S.Admin.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{App.AdminId}/tokens",
            new CreateTokenRequest("second admin token", [Scopes.Admin, Scopes.ChangesRead], null));
        var separate = await App.As(otherAdmin.Token).PostAsync(path, request, key);
        separate.Headers.Contains("Idempotency-Replayed").ShouldBeFalse();
        (await ApiClient.ReadAsync<CreatedTokenResponse>(separate)).Token.ShouldNotBe(first.Token);

        // The first credential's retry is the first reply.
        var retry = await S.Admin.PostAsync(path, request, key);
        retry.Headers.GetValues("Idempotency-Replayed").ShouldBe(["true"]);
        (await ApiClient.ReadAsync<CreatedTokenResponse>(retry)).Token.ShouldBe(first.Token);

        await using var scope = App.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().IdempotencyRecords.AsNoTracking()
            .Where(r => r.Key == key[IdempotencyMiddleware.Header]).ToListAsync(Ct);
        stored.Count.ShouldBe(3, "each credential's own reply: the first admin token's, the refusal's, the other admin token's");
        stored.Select(r => r.Credential).ShouldBeUnique();
        foreach (var record in stored)
        {
            record.ProtectedBody.ShouldNotBeNull();
            Encoding.UTF8.GetString(record.ProtectedBody).ShouldNotContain("ctp_");
            Encoding.Latin1.GetString(record.ProtectedBody).ShouldNotContain(first.Token[4..]);
        }
    }

    [Fact]
    public async Task Anonymous_requests_are_not_recorded_and_a_key_is_free_again_after_a_day()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var anonymousKey = new Dictionary<string, string> { [IdempotencyMiddleware.Header] = $"anon-{Scenario.Unique()}" };
        (await App.Anonymous().PostAsync("/api/v1/auth/tokens",
            new PersonalTokenRequest(person.Email, person.Password, "cli", [Scopes.ChangesRead], null), anonymousKey)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await RecordsAsync(anonymousKey[IdempotencyMiddleware.Header])).ShouldBe(0);

        var key = new Dictionary<string, string> { [IdempotencyMiddleware.Header] = $"service-{Scenario.Unique()}" };
        var service = new CreateServiceRequest($"svc-{Scenario.Unique()}", null, false, false, [new EnvironmentDto("production", true)]);
        (await S.Admin.PostAsync("/api/v1/services", service, key)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await S.Admin.PostAsync("/api/v1/services", service, key)).Headers.Contains("Idempotency-Replayed").ShouldBeTrue();

        App.Time.Advance(IdempotencyMiddleware.Lifetime + TimeSpan.FromSeconds(1));
        await S.Admin.PostAsync("/api/v1/services", service, key).ShouldBeProblemAsync(HttpStatusCode.Conflict, "service-name-taken");
    }

    [Fact]
    public async Task The_sweep_removes_records_older_than_a_day()
    {
        var key = new Dictionary<string, string> { [IdempotencyMiddleware.Header] = $"swept-{Scenario.Unique()}" };
        await S.Admin.PostAsync("/api/v1/services", new CreateServiceRequest($"svc-{Scenario.Unique()}", null, false, false, []), key);
        (await RecordsAsync(key[IdempotencyMiddleware.Header])).ShouldBe(1);

        App.Time.Advance(TimeSpan.FromHours(23));
        await App.Services.GetRequiredService<IdempotencySweep>().RunOnceAsync(Ct);
        (await RecordsAsync(key[IdempotencyMiddleware.Header])).ShouldBe(1, "kept for a day");
        // A day old: gone, whether this round or the hourly one the clock just ticked removed it.
        App.Time.Advance(TimeSpan.FromHours(1));
        await App.Services.GetRequiredService<IdempotencySweep>().RunOnceAsync(Ct);
        (await RecordsAsync(key[IdempotencyMiddleware.Header])).ShouldBe(0);
    }

    private async Task<int> RecordsAsync(string key)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().IdempotencyRecords.CountAsync(r => r.Key == key, Ct);
    }

    [Fact]
    public async Task A_request_that_ended_in_an_exception_is_run_again_on_retry_not_replayed_as_an_empty_success()
    {
        await using var app = new FailingOnceApp(App.Provider);
        await app.InitializeAsync();
        var pipeline = await new Scenario(app).ServiceAccountAsync([Scopes.Gate], Role.Implementer);
        var key = new Dictionary<string, string> { [IdempotencyMiddleware.Header] = $"retry-{Scenario.Unique()}" };
        var question = new GateRequest("CR-1", null, "api", "production", "0123456789abcdef", null);

        app.FailNextGateDecision = true;
        // The exception passes through the idempotency record before the exception handler answers 500 for it.
        (await pipeline.Client.PostAsync("/api/v1/gate", question, key)).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);

        var retried = await pipeline.Client.PostAsync("/api/v1/gate", question, key);
        retried.StatusCode.ShouldBe(HttpStatusCode.OK, await retried.Content.ReadAsStringAsync(Ct));
        (await ApiClient.ReadAsync<GateResponse>(retried)).GateId.ShouldNotBe(Guid.Empty);
    }

    /// <summary>A server whose next gate decision fails to save, as a request cut off mid-way does.</summary>
    private sealed class FailingOnceApp(TestProvider provider) : ChangeTrailApp(provider)
    {
        private readonly FailGateDecisionInsert _interceptor = new();

        public bool FailNextGateDecision
        {
            set => _interceptor.Armed = value;
        }

        protected override void ConfigureTestServices(IWebHostBuilder builder) => AddDbInterceptor(builder, _interceptor);
    }

    private sealed class FailGateDecisionInsert : DbCommandInterceptor
    {
        public bool Armed { get; set; }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            ThrowIfArmed(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            ThrowIfArmed(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        private void ThrowIfArmed(DbCommand command)
        {
            if (!Armed || !command.CommandText.Contains("INSERT INTO \"GateDecisions\"", StringComparison.Ordinal))
                return;
            Armed = false;
            throw new InvalidOperationException("The request was abandoned.");
        }
    }
}

public sealed class IdempotencyTests_Sqlite(SqliteApp app) : IdempotencyTests(app), IClassFixture<SqliteApp>;

public sealed class IdempotencyTests_Postgres(PostgresApp app) : IdempotencyTests(app), IClassFixture<PostgresApp>;
