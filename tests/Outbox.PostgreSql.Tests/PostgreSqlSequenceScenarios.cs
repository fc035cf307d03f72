using Outbox.Testing;

namespace Outbox.Tests;

public sealed class PostgreSqlSequenceScenarios : SequenceScenarios
{
    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();
}
