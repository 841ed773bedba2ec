using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Auth;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChangeTrail.Server.Hosting;

public static class Database
{
    /// <summary>Registers the DbContext for the configured provider; handlers depend on <see cref="ChangeTrailDbContext"/> only.</summary>
    public static IServiceCollection AddChangeTrailDatabase(this IServiceCollection services, IConfiguration configuration, ChangeTrailOptions options)
    {
        // One group commit per instance: requests that append to the ledger together commit together (ARCHITECTURE.md,
        // "Ledger under load").
        switch (options.Database.Provider.ToLowerInvariant())
        {
            case "sqlite":
                var dataDirectory = Path.GetFullPath(options.DataDirectory);
                Directory.CreateDirectory(dataDirectory);
                var sqlite = configuration.GetConnectionString("ChangeTrail")
                    ?? $"Data Source={Path.Combine(dataDirectory, "changetrail.db")}";
                services.AddDbContext<ChangeTrailDbContext, SqliteChangeTrailDbContext>(o => o.UseChangeTrailSqlite(sqlite));
                services.AddSingleton(LedgerGroupCommit.ForSqlite());
                services.AddSingleton(new TokenCache(() => new SqliteConnection(sqlite)));
                break;
            case "postgres" or "postgresql":
                var configured = configuration.GetConnectionString("ChangeTrail")
                    ?? throw new InvalidOperationException(
                        "ChangeTrail__Database__Provider is postgres but ConnectionStrings__ChangeTrail is not set.");
                // Pooled connections skip the reset (DISCARD ALL) Npgsql otherwise sends when one is reused: the server keeps
                // no session state (no SET, no temporary table, no session lock), and EF opens a connection for every query,
                // so the reset was one more statement on each of a request's queries.
                var postgres = new NpgsqlConnectionStringBuilder(configured) { NoResetOnClose = true }.ConnectionString;
                services.AddDbContext<ChangeTrailDbContext, PostgresChangeTrailDbContext>(o => o.UseChangeTrailPostgres(postgres));
                services.AddSingleton(LedgerGroupCommit.ForPostgres());
                services.AddSingleton(new TokenCache(() => new NpgsqlConnection(postgres)));
                break;
            default:
                throw new InvalidOperationException(
                    $"Unknown ChangeTrail__Database__Provider '{options.Database.Provider}': use 'sqlite' or 'postgres'.");
        }
        return services;
    }

    /// <summary>Applies pending migrations. EF Core refuses to migrate when the model has changes no migration covers.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }
}
