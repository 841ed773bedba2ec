using Npgsql;

namespace ChangeTrail.Testing;

/// <summary>
/// The databases the HTTP tests run on. SQLite always; PostgreSQL whenever CHANGETRAIL_TEST_POSTGRES holds
/// a connection string to a server the tests may create databases on. Under CI=true a missing PostgreSQL
/// fails the run instead of skipping silently.
/// </summary>
public static class TestDatabases
{
    public const string PostgresVariable = "CHANGETRAIL_TEST_POSTGRES";

    public static string? PostgresAdminConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } cs ? cs : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the calling test when PostgreSQL is not configured, or fails it on CI.</summary>
    public static void RequirePostgres()
    {
        if (PostgresAdminConnectionString is not null)
            return;
        if (IsCi)
            throw new InvalidOperationException($"{PostgresVariable} is not set, and CI=true requires the PostgreSQL tests to run.");
        Xunit.Assert.Skip($"{PostgresVariable} is not set; scripts/test.sh starts a throwaway PostgreSQL and sets it.");
    }

    /// <summary>Creates an empty database for one test app and returns its connection string.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync(string name)
    {
        var admin = PostgresAdminConnectionString ?? throw new InvalidOperationException($"{PostgresVariable} is not set.");
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
            await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }

    public static async Task DropPostgresDatabaseAsync(string name)
    {
        var admin = PostgresAdminConnectionString;
        if (admin is null)
            return;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
