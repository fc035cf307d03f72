using Outbox.Testing;

namespace Outbox.Tests;

public sealed class PostgreSqlConsumerScenarios : ConsumerScenarios
{
    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();
}
