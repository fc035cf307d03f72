using Outbox.Testing;

namespace Outbox.Tests;

public sealed class MariaDbSequenceScenarios : SequenceScenarios
{
    protected override ITestDatabase NewDatabase() => new MariaDbTestDatabase();
}
