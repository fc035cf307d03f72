using Outbox.Testing;

namespace Outbox.Tests;

public sealed class MariaDbOutboxScenarios : OutboxScenarios
{
    protected override bool ClaimsConcurrently => true;

    protected override ITestDatabase NewDatabase() => new MariaDbTestDatabase();
}
