using System.Data.Common;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace ChangeTrail.Bench;

/// <summary>
/// A fresh, migrated database for one run, configured exactly as the app configures it: SQLite in a
/// temporary folder through <see cref="DatabaseOptions.UseChangeTrailSqlite"/> (WAL, synchronous=FULL,
/// busy_timeout), or a new PostgreSQL database created next to the one a connection string names and
/// dropped at the end. Like the server, it has one <see cref="LedgerGroupCommit"/>, which every context it
/// opens shares, so saves that append to the ledger go through the app's group commit.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly DbContextOptions? _sqlite;
    private readonly DbContextOptions? _postgres;
    private readonly DirectoryInfo? _folder;
    private readonly string? _adminConnection;
    private readonly string? _databaseName;

    private BenchDatabase(string provider, string connectionString, DbContextOptions? sqlite, DbContextOptions? postgres,
        DirectoryInfo? folder, string? adminConnection, string? databaseName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqlite = sqlite;
        _postgres = postgres;
        _folder = folder;
        _adminConnection = adminConnection;
        _databaseName = databaseName;
        GroupCommit = NewGroupCommit();
    }

    public string Provider { get; }

    /// <summary>The group commit every context from <see cref="Open()"/> shares, as the server's are given its singleton.</summary>
    public LedgerGroupCommit GroupCommit { get; }

    /// <summary>A group commit as the server makes one for this provider (one instance's).</summary>
    public LedgerGroupCommit NewGroupCommit() => IsSqlite ? LedgerGroupCommit.ForSqlite() : LedgerGroupCommit.ForPostgres();

    public string ConnectionString { get; }

    public bool IsSqlite => _sqlite is not null;

    /// <summary>The SQLite file, for SQLite.</summary>
    public string? FilePath => _folder is null ? null : Path.Combine(_folder.FullName, "bench.db");

    /// <summary>Creates and migrates a fresh database. <paramref name="connection"/> is needed for PostgreSQL only.</summary>
    public static async Task<BenchDatabase> CreateAsync(string provider, string? connection)
    {
        var database = provider switch
        {
            "sqlite" => CreateSqlite(),
            "postgres" => await CreatePostgresAsync(connection),
            _ => throw new BenchUsageException($"unknown provider '{provider}' (sqlite or postgres)"),
        };
        try
        {
            await using var db = database.Open();
            await db.Database.MigrateAsync();
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
        return database;
    }

    private static BenchDatabase CreateSqlite()
    {
        var folder = Directory.CreateTempSubdirectory("changetrail-bench");
        var connectionString = $"Data Source={Path.Combine(folder.FullName, "bench.db")}";
        var options = new DbContextOptionsBuilder<SqliteChangeTrailDbContext>();
        options.UseChangeTrailSqlite(connectionString);
        return new BenchDatabase("sqlite", connectionString, options.Options, null, folder, null, null);
    }

    private static async Task<BenchDatabase> CreatePostgresAsync(string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
            throw new BenchUsageException("--provider postgres needs --connection or CHANGETRAIL_TEST_POSTGRES");
        var name = $"changetrail_bench_{Guid.NewGuid():N}"[..40];
        await using (var admin = new NpgsqlConnection(connection))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(connection) { Database = name }.ConnectionString;
        var options = new DbContextOptionsBuilder<PostgresChangeTrailDbContext>();
        options.UseChangeTrailPostgres(connectionString);
        return new BenchDatabase("postgres", connectionString, null, options.Options, null, connection, name);
    }

    /// <summary>A new context, as a request gets one: the app's options and this database's <see cref="GroupCommit"/>.</summary>
    public ChangeTrailDbContext Open() => Open(_sqlite ?? _postgres!, GroupCommit);

    /// <summary>
    /// A new context sharing <paramref name="groupCommit"/> instead of <see cref="GroupCommit"/>: contexts given the same one
    /// behave as one server instance's requests, and its <see cref="LedgerGroupCommit.MeanBatch"/> counts their saves only.
    /// </summary>
    public ChangeTrailDbContext Open(LedgerGroupCommit groupCommit) => Open(_sqlite ?? _postgres!, groupCommit);

    /// <summary>A new context on options made by <see cref="OptionsWith"/>, sharing <paramref name="groupCommit"/> (by default <see cref="GroupCommit"/>).</summary>
    public ChangeTrailDbContext Open(DbContextOptions options, LedgerGroupCommit? groupCommit = null) =>
        IsSqlite
            ? new SqliteChangeTrailDbContext((DbContextOptions<SqliteChangeTrailDbContext>)options, groupCommit ?? GroupCommit)
            : new PostgresChangeTrailDbContext((DbContextOptions<PostgresChangeTrailDbContext>)options, groupCommit ?? GroupCommit);

    /// <summary>The app's options for this database plus <paramref name="interceptor"/>, registered after the app's own. Make once, reuse.</summary>
    public DbContextOptions OptionsWith(IInterceptor interceptor)
    {
        if (IsSqlite)
        {
            var sqlite = new DbContextOptionsBuilder<SqliteChangeTrailDbContext>();
            sqlite.UseChangeTrailSqlite(ConnectionString).AddInterceptors(interceptor);
            return sqlite.Options;
        }
        var postgres = new DbContextOptionsBuilder<PostgresChangeTrailDbContext>();
        postgres.UseChangeTrailPostgres(ConnectionString).AddInterceptors(interceptor);
        return postgres.Options;
    }

    /// <summary>The server's version and the settings that decide what a commit costs, as the database reports them.</summary>
    public async Task<string> DescribeAsync()
    {
        await using var db = Open();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        if (IsSqlite)
        {
            return $"SQLite {await ScalarAsync(connection, "select sqlite_version()")}, journal_mode={await ScalarAsync(connection, "PRAGMA journal_mode")}, "
                + $"synchronous={SqliteSynchronous(await ScalarAsync(connection, "PRAGMA synchronous"))} (the app's pragmas), file {FilePath}";
        }
        return $"PostgreSQL {await ScalarAsync(connection, "show server_version")}, fsync={await ScalarAsync(connection, "show fsync")}, "
            + $"synchronous_commit={await ScalarAsync(connection, "show synchronous_commit")}, wal_sync_method={await ScalarAsync(connection, "show wal_sync_method")}, "
            + $"commit_delay={await ScalarAsync(connection, "show commit_delay")}, fresh database {_databaseName}";
    }

    public static async Task<string> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), Report.Invariant) ?? "";
    }

    private static string SqliteSynchronous(string value) => value switch
    {
        "0" => "OFF",
        "1" => "NORMAL",
        "2" => "FULL",
        "3" => "EXTRA",
        _ => value,
    };

    public async ValueTask DisposeAsync()
    {
        if (_folder is not null)
        {
            SqliteConnection.ClearAllPools();
            _folder.Delete(recursive: true);
        }
        if (_adminConnection is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_adminConnection);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
