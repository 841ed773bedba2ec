using ChangeTrail.Persistence;
using ChangeTrail.Testing;
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

/// <summary>The embedded database's durability settings hold on every connection the server opens.</summary>
public sealed class SqliteDurabilityTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Connections_use_WAL_synchronous_FULL_and_foreign_keys()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        var connection = db.Database.GetDbConnection();

        async Task<string> Pragma(string name)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {name};";
            return Convert.ToString(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture)!;
        }

        (await Pragma("journal_mode")).ShouldBe("wal");
        (await Pragma("synchronous")).ShouldBe("2", "2 is FULL");
        (await Pragma("foreign_keys")).ShouldBe("1");
    }
}
