using Outbox.Testing;

namespace Outbox.Tests;

public sealed class MariaDbConsumerScenarios : ConsumerScenarios
{
    protected override ITestDatabase NewDatabase() => new MariaDbTestDatabase();
}
