using Outbox.Testing;

namespace Outbox.Tests;

public sealed class PostgreSqlOutboxScenarios : OutboxScenarios
{
    protected override bool ClaimsConcurrently => true;

    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();
}
