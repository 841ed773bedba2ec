using System.Data.Common;
using System.Runtime.CompilerServices;
using ChangeTrail.Persistence.Ledger;
using Microsoft.Data.Sqlite;
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
/// <remarks>
/// They are set once per physical connection. EF opens and closes its connection around every query, and the pool hands
/// back the same SQLite handle each time, with its settings intact; running the four statements on every open cost a gate
/// decision about a quarter of its database work.
/// </remarks>
public sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    public const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";

    /// <summary>The physical connections already set: weak, so a handle the pool closes takes its mark with it.</summary>
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!NeedsPragmas(connection, out var handle))
            return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        Configured.AddOrUpdate(handle, Configured);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!NeedsPragmas(connection, out var handle))
            return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Configured.AddOrUpdate(handle, Configured);
    }

    private static bool NeedsPragmas(DbConnection connection, out SQLitePCL.sqlite3 handle)
    {
        handle = ((SqliteConnection)connection).Handle!;
        return !Configured.TryGetValue(handle, out _);
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
