using ChangeTrail.Persistence;
using ChangeTrail.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>Each provider's migration set covers the whole model, and the server starts on a migrated database.</summary>
public abstract class MigrationTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task The_model_has_no_changes_that_a_migration_does_not_cover()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        db.Database.HasPendingModelChanges().ShouldBeFalse("run scripts/add-migration.sh <Name> after changing the model");
        (await db.Database.GetPendingMigrationsAsync(Ct)).ShouldBeEmpty();
        (await db.Database.GetAppliedMigrationsAsync(Ct)).ShouldNotBeEmpty();
    }
}

public sealed class MigrationTests_Sqlite(SqliteApp app) : MigrationTests(app), IClassFixture<SqliteApp>;

public sealed class MigrationTests_Postgres(PostgresApp app) : MigrationTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// The embedded database's durability settings hold on every connection the server opens: a new one, one the pool hands
/// back (the settings are applied once per physical connection), and a new one after the pool let its connections go.
/// </summary>
public sealed class SqliteDurabilityTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Connections_use_WAL_synchronous_FULL_and_foreign_keys()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var cancellationToken = TestContext.Current.CancellationToken;

        async Task<string> Pragma(string name)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {name};";
            return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture)!;
        }

        async Task ShouldHoldAsync(string opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            (await Pragma("journal_mode")).ShouldBe("wal", opened);
            (await Pragma("synchronous")).ShouldBe("2", $"{opened}: 2 is FULL");
            (await Pragma("foreign_keys")).ShouldBe("1", opened);
            (await Pragma("busy_timeout")).ShouldBe("30000", opened);
        }

        await ShouldHoldAsync("first open");
        var handle = connection.Handle;
        await db.Database.CloseConnectionAsync();
        await ShouldHoldAsync("reopened from the pool");
        connection.Handle.ShouldBeSameAs(handle, "the pool hands back the same physical connection");
        await db.Database.CloseConnectionAsync();
        SqliteConnection.ClearPool(connection);
        await ShouldHoldAsync("a new physical connection after the pool was cleared");
        connection.Handle.ShouldNotBeSameAs(handle);
        await db.Database.CloseConnectionAsync();
    }
}
