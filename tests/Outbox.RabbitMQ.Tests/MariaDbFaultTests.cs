using Outbox.Testing;
using Xunit.Abstractions;

namespace Outbox.RabbitMQ.Tests;

/// <summary>The fault run with both services on MariaDB, restarted by <c>service mariadb restart</c>.</summary>
public sealed class MariaDbFaultTests(ITestOutputHelper output) : FaultTests(output)
{
    protected override string Provider => "MySql";

    protected override string DatabaseRestarted => "MariaDB restarted";

    protected override ITestDatabase NewDatabase() => new MariaDbTestDatabase();

    protected override Task RestartDatabaseAsync() => LocalServices.RestartMariaDbAsync();
}
