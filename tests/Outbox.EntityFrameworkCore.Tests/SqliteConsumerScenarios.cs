using Outbox.Testing;

namespace Outbox.Tests;

public sealed class SqliteConsumerScenarios : ConsumerScenarios
{
    protected override ITestDatabase NewDatabase() => new SqliteTestDatabase();
}
