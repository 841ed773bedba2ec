using System.Data.Common;
using ChangeTrail.Persistence.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ChangeTrail.Persistence;

/// <summary>The SQLite flavour of the model: the embedded default. Its migrations are in Migrations/Sqlite.</summary>
public sealed class SqliteChangeTrailDbContext(DbContextOptions<SqliteChangeTrailDbContext> options, LedgerGroupCommit? groupCommit = null)
    : ChangeTrailDbContext(options, groupCommit);

/// <summary>The PostgreSQL flavour of the model: production and scale-out. Its migrations are in Migrations/Postgres.</summary>
public sealed class PostgresChangeTrailDbContext(DbContextOptions<PostgresChangeTrailDbContext> options, LedgerGroupCommit? groupCommit = null)
    : ChangeTrailDbContext(options, groupCommit);

/// <summary>
/// SQLite settings that hold per connection, not per database: an acknowledged write must survive a
/// power cut (synchronous=FULL under WAL), and foreign keys are off unless asked for.
/// </summary>
public sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    public const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }
}

public static class DatabaseOptions
{
    public static DbContextOptionsBuilder UseChangeTrailSqlite(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(SqliteChangeTrailDbContext).Assembly.FullName))
            .AddInterceptors(new SqlitePragmaInterceptor());

    public static DbContextOptionsBuilder UseChangeTrailPostgres(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, pg => pg.MigrationsAssembly(typeof(PostgresChangeTrailDbContext).Assembly.FullName));
}

/// <summary>Lets <c>dotnet ef migrations add --context SqliteChangeTrailDbContext</c> build the model without the server.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteChangeTrailDbContext>
{
    public SqliteChangeTrailDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteChangeTrailDbContext>();
        options.UseChangeTrailSqlite("Data Source=design-time.db");
        return new SqliteChangeTrailDbContext(options.Options);
    }
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgresChangeTrailDbContext</c> build the model without a server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresChangeTrailDbContext>
{
    public PostgresChangeTrailDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresChangeTrailDbContext>();
        options.UseChangeTrailPostgres("Host=localhost;Database=changetrail_design");
        return new PostgresChangeTrailDbContext(options.Options);
    }
}
