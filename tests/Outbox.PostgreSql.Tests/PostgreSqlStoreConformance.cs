using Outbox.Testing;

namespace Outbox.Tests;

public sealed class PostgreSqlStoreConformance : EntityFrameworkStoreConformance
{
    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();
}
