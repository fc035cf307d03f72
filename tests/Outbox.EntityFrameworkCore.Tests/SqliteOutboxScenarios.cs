using Outbox.Testing;

namespace Outbox.Tests;

public sealed class SqliteOutboxScenarios : OutboxScenarios
{
    protected override ITestDatabase NewDatabase() => new SqliteTestDatabase();
}
