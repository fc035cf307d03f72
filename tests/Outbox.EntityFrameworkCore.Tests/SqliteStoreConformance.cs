using Outbox.Testing;

namespace Outbox.Tests;

#region store-conformance
public sealed class SqliteStoreConformance : EntityFrameworkStoreConformance
{
    protected override ITestDatabase NewDatabase() => new SqliteTestDatabase();
}
#endregion
