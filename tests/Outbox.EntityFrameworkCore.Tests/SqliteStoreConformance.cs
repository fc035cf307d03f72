using Outbox.Testing;

namespace Outbox.Tests;

public sealed class SqliteStoreConformance : EntityFrameworkStoreConformance
{
    protected override ITestDatabase NewDatabase() => new SqliteTestDatabase();
}
