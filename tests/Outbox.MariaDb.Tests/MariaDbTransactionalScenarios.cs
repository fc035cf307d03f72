using Outbox.Testing;

namespace Outbox.Tests;

public sealed class MariaDbTransactionalScenarios : TransactionalScenarios
{
    protected override ITestDatabase NewDatabase() => new MariaDbTestDatabase();
}
