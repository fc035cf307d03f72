using Outbox.Testing;

namespace Outbox.Tests;

public sealed class PostgreSqlTransactionalScenarios : TransactionalScenarios
{
    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();
}
