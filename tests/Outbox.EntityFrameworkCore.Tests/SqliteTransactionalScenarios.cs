using Outbox.Testing;

namespace Outbox.Tests;

public sealed class SqliteTransactionalScenarios : TransactionalScenarios
{
    protected override ITestDatabase NewDatabase() => new SqliteTestDatabase();
}
