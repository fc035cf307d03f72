using Outbox.Testing;
using Xunit.Abstractions;

namespace Outbox.RabbitMQ.Tests;

/// <summary>The fault run with both services on PostgreSQL, restarted by <c>pg_ctlcluster</c>.</summary>
public sealed class PostgreSqlFaultTests(ITestOutputHelper output) : FaultTests(output)
{
    protected override string Provider => "PostgreSql";

    protected override string DatabaseRestarted => "PostgreSQL restarted";

    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();

    protected override Task RestartDatabaseAsync() => LocalServices.RestartPostgreSqlAsync();
}
