using Outbox.Testing;

namespace Outbox.Tests;

public sealed class SqliteSequenceScenarios : SequenceScenarios
{
    protected override ITestDatabase NewDatabase() => new SqliteTestDatabase();
}
