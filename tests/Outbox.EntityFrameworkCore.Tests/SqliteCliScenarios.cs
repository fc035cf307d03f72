using Outbox.Testing;

namespace Outbox.Tests;

public sealed class SqliteCliScenarios : CliScenarios
{
    protected override string ScriptProvider => "sqlite";

    protected override string UnreachableConnectionString => $"Data Source={Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "missing.db")}";

    protected override ITestDatabase NewDatabase() => new SqliteTestDatabase();
}
