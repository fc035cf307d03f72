using Outbox.Testing;

namespace Outbox.Tests;

public sealed class MariaDbStoreConformance : EntityFrameworkStoreConformance
{
    protected override ITestDatabase NewDatabase() => new MariaDbTestDatabase();
}
