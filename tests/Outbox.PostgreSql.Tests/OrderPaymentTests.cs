using Microsoft.EntityFrameworkCore;
using OrderPayment.Orders;
using OrderPayment.Payments;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The order/payment sample on PostgreSQL: its PostgreSQL migrations, and a whole run with both services' databases there.</summary>
public sealed class OrderPaymentTests
{
    [Fact]
    public Task OrdersMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase() => SampleMigrations.AssertOnAnEmptyDatabaseAsync(
        () => new PostgreSqlTestDatabase(),
        connection => new PostgreSqlOrdersDbContext(new DbContextOptionsBuilder<PostgreSqlOrdersDbContext>().UseNpgsql(connection).Options),
        "Orders");

    [Fact]
    public Task PaymentsMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase() => SampleMigrations.AssertOnAnEmptyDatabaseAsync(
        () => new PostgreSqlTestDatabase(),
        connection => new PostgreSqlPaymentsDbContext(new DbContextOptionsBuilder<PostgreSqlPaymentsDbContext>().UseNpgsql(connection).Options),
        "Payments");

    [Fact]
    public Task Runner_OnPostgreSQL_EveryOrderEndsAsItsGatewayAnswerDecides() =>
        OrderPaymentRun.AssertAWholeRunOnAsync("PostgreSQL", () => new PostgreSqlTestDatabase());
}
