using ChangeTrail.Testing;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Base of every HTTP test class: each runs once on SQLite and once on PostgreSQL (the concrete
/// *_Sqlite and *_Postgres classes). PostgreSQL tests skip without CHANGETRAIL_TEST_POSTGRES, and fail under CI=true.
/// </summary>
public abstract class ProviderTests
{
    protected ProviderTests(ChangeTrailApp app)
    {
        if (app.Provider == TestProvider.Postgres)
            TestDatabases.RequirePostgres();
        App = app;
        S = new Scenario(app);
    }

    protected ChangeTrailApp App { get; }

    protected Scenario S { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;
}
