using Outbox.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>Start-up's check of the database named in UseEntityFrameworkCore, on SQLite.</summary>
public sealed class SqliteDialectStartTests : DialectStartScenarios
{
    protected override (Action<EntityFrameworkCoreStoreBuilder> Name, string Choice, string Database) Another => (d => d.UsePostgreSql(), "UsePostgreSql()", "PostgreSQL");

    protected override ITestDatabase NewDatabase() => new SqliteTestDatabase();
}
