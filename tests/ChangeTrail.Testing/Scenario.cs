using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using Microsoft.Extensions.DependencyInjection;

namespace ChangeTrail.Testing;

/// <summary>Someone the tests act as: their id, email, own password, token and a client sending it.</summary>
public sealed record Person(Guid Id, string Email, string Token, ApiClient Client, string Password = Scenario.OwnPassword);

/// <summary>
/// Builds an organisation through the public API only (users, service accounts, services, change drafts),
/// with unique names so tests sharing one server never collide.
/// </summary>
public sealed class Scenario(ChangeTrailApp app)
{
    public static readonly string[] PersonScopes = [Scopes.ChangesRead, Scopes.ChangesWrite, Scopes.ChangesApprove];

    /// <summary>The temporary password the Admin gives every person, and the one each then chooses as their own.</summary>
    public const string TemporaryPassword = "temporary-password-from-admin";
    public const string OwnPassword = "my-own-long-passphrase";

    public ChangeTrailApp App { get; } = app;

    public ApiClient Admin => App.AsAdmin();

    /// <summary>
    /// A person as they really come to hold an approving token: an Admin adds them with a temporary password, and they
    /// sign in for a token of their own (<c>POST /auth/tokens</c>), choosing their own password on the way.
    /// </summary>
    public async Task<Person> PersonAsync(params Role[] roles)
    {
        var email = $"{string.Join('-', roles.Select(r => r.ToString().ToLowerInvariant()))}-{Unique()}@example.test";
        var created = await Admin.PostJsonAsync<CreatedUserResponse>("/api/v1/users",
            new CreateUserRequest(email, $"Person {email}", roles, TemporaryPassword));
        var token = await App.Anonymous().PostJsonAsync<CreatedTokenResponse>("/api/v1/auth/tokens",
            new PersonalTokenRequest(email, TemporaryPassword, "test", PersonScopes, null, OwnPassword));
        return new Person(created.Id, email, token.Token, App.As(token.Token));
    }

    /// <summary>Another token of <paramref name="person"/>'s own, by signing in again with their password.</summary>
    public async Task<string> OwnTokenAsync(Person person, IReadOnlyList<string> scopes, DateTime? expiresAt = null) =>
        (await App.Anonymous().PostJsonAsync<CreatedTokenResponse>("/api/v1/auth/tokens",
            new PersonalTokenRequest(person.Email, person.Password, "another", scopes, expiresAt))).Token;

    public async Task<Person> ServiceAccountAsync(IReadOnlyList<string> scopes, params Role[] roles)
    {
        var name = $"pipeline-{Unique()}";
        var created = await Admin.PostJsonAsync<CreatedResponse>("/api/v1/service-accounts", new CreateServiceAccountRequest(name, roles));
        var token = await Admin.PostJsonAsync<CreatedTokenResponse>($"/api/v1/service-accounts/{created.Id}/tokens",
            new CreateTokenRequest("ci", scopes, null));
        return new Person(created.Id, name, token.Token, App.As(token.Token));
    }

    /// <summary>
    /// A token written straight into the database, as older rules or someone with database access left one (never
    /// personally issued); returns its secret.
    /// </summary>
    public async Task<string> PlantTokenAsync(Guid ownerId, IReadOnlyList<string> scopes, Guid createdById, DateTime? expiresAt)
    {
        var secret = Server.Auth.TokenSecrets.Generate();
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Persistence.ChangeTrailDbContext>();
        db.ApiTokens.Add(new Persistence.Identity.ApiToken
        {
            Id = Guid.NewGuid(),
            OwnerId = ownerId,
            Name = "planted",
            TokenHash = Server.Auth.TokenSecrets.Hash(secret),
            Prefix = Server.Auth.TokenSecrets.DisplayPrefix(secret),
            Scopes = [.. scopes],
            CreatedById = createdById,
            CreatedAt = App.Time.GetUtcNow().UtcDateTime,
            ExpiresAt = expiresAt,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    /// <summary>Registers a service with staging and production environments; returns its name.</summary>
    public async Task<string> ServiceAsync(bool regulatedData = false, bool securityControl = false)
    {
        var name = $"svc-{Unique()}";
        await Admin.PostJsonAsync<CreatedResponse>("/api/v1/services", new CreateServiceRequest(name, $"https://git.example.test/{name}",
            regulatedData, securityControl, [new EnvironmentDto("staging", false), new EnvironmentDto("production", true)]));
        return name;
    }

    /// <summary>Every policy 3.2 field filled in, and risk answers giving Low (or High) overall risk.</summary>
    public ChangeFields CompleteChange(string service, bool highRisk = false, string? implementer = null,
        IReadOnlyList<CommitDto>? commits = null, string type = "Normal") => new(
        Enum.Parse<Domain.Changes.ChangeType>(type),
        $"Upgrade {service} runtime",
        "Keep the runtime supported and patched.",
        $"The {service} service only.",
        "Restarts pods one by one; no user-visible downtime expected.",
        "Redeploy the previous image tag.",
        "Unit, integration and security suites in CI; canary in staging.",
        "All suites green on the release commit; staging canary healthy for 1 h.",
        Tomorrow(),
        Tomorrow().AddHours(2),
        [service],
        highRisk ? HighRiskAnswers : LowRiskAnswers,
        implementer,
        commits ?? [new CommitDto("a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0", "dev@example.test")],
        ["https://git.example.test/pr/42"],
        null,
        null);

    /// <summary>Every question answered with its lightest option: Low in every dimension.</summary>
    public static readonly IReadOnlyDictionary<string, string> LowRiskAnswers = DefaultRiskQuestionnaire.Instance.Questions
        .ToDictionary(q => q.Key, q => q.Options.MinBy(o => o.Weight)!.Key);

    public static readonly IReadOnlyDictionary<string, string> HighRiskAnswers =
        new Dictionary<string, string>(LowRiskAnswers) { ["downtime"] = "extended" };

    /// <summary>This time tomorrow, to the minute: what a person would type into a planned window.</summary>
    private DateTime Tomorrow()
    {
        var now = App.Time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc).AddDays(1);
    }

    public static string Unique() => Guid.NewGuid().ToString("N")[..10];
}
