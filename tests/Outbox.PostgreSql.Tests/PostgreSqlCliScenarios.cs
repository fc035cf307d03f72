using Outbox.Testing;

namespace Outbox.Tests;

public sealed class PostgreSqlCliScenarios : CliScenarios
{
    protected override string ScriptProvider => "postgresql";

    protected override string UnreachableConnectionString => "Host=127.0.0.1;Port=1;Username=outbox;Password=outbox";

    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();
}
