using Microsoft.EntityFrameworkCore;
using OrderPayment.Orders;
using OrderPayment.Payments;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The order/payment sample on PostgreSQL: its PostgreSQL migrations, and a whole run with both services' databases there.</summary>
public sealed class OrderPaymentTests
{
    [Fact]
    public async Task OrdersMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase()
    {
        await using var database = new PostgreSqlTestDatabase();
        await database.CreateEmptyAsync();
        await using var db = new PostgreSqlOrdersDbContext(new DbContextOptionsBuilder<PostgreSqlOrdersDbContext>().UseNpgsql(database.ConnectionString).Options);
        await SampleMigrations.AssertMatchTheModelAndCreateItAsync(db, "Orders");
    }

    [Fact]
    public async Task PaymentsMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase()
    {
        await using var database = new PostgreSqlTestDatabase();
        await database.CreateEmptyAsync();
        await using var db = new PostgreSqlPaymentsDbContext(new DbContextOptionsBuilder<PostgreSqlPaymentsDbContext>().UseNpgsql(database.ConnectionString).Options);
        await SampleMigrations.AssertMatchTheModelAndCreateItAsync(db, "Payments");
    }

    [Fact]
    public async Task Runner_OnPostgreSQL_EveryOrderEndsAsItsGatewayAnswerDecides()
    {
        await using var orders = new PostgreSqlTestDatabase();
        await using var payments = new PostgreSqlTestDatabase();
        await orders.CreateEmptyAsync();
        await payments.CreateEmptyAsync();

        var (exitCode, output) = await OrderPaymentRun.RunAsync(
            200,
            ("Database__Provider", "PostgreSQL"),
            ("ConnectionStrings__Orders", orders.ConnectionString),
            ("ConnectionStrings__Payments", payments.ConnectionString));

        OrderPaymentRun.AssertEveryOrder(exitCode, output, 200, "InMemory", "PostgreSQL");
    }
}
