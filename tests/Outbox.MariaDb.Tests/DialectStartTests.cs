using Outbox.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>Start-up's check of the database named in UseEntityFrameworkCore, on MariaDB.</summary>
public sealed class DialectStartTests : DialectStartScenarios
{
    protected override (Action<EntityFrameworkCoreStoreBuilder> Name, string Choice, string Database) Another => (d => d.UsePostgreSql(), "UsePostgreSql()", "PostgreSQL");

    protected override ITestDatabase NewDatabase() => new MariaDbTestDatabase();
}
