using Microsoft.EntityFrameworkCore;
using OrderPayment.Orders;
using Outbox.EntityFrameworkCore.Dialects;
using OrderPayment.Payments;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// The order/payment sample on MariaDB: its MySql migrations (applied as UseOutbox's context applies them, with the
/// provider's migration lock rewritten for MariaDB), and a whole run with both services' databases there.
/// </summary>
public sealed class OrderPaymentTests
{
    [Fact]
    public async Task OrdersMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase()
    {
        await using var database = new MariaDbTestDatabase();
        await database.CreateEmptyAsync();
        await using var db = new MySqlOrdersDbContext(new DbContextOptionsBuilder<MySqlOrdersDbContext>().UseMySQL(database.ConnectionString).AddInterceptors(MySqlCommandRewriter.Instance).Options);
        await SampleMigrations.AssertMatchTheModelAndCreateItAsync(db, "Orders");
    }

    [Fact]
    public async Task PaymentsMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase()
    {
        await using var database = new MariaDbTestDatabase();
        await database.CreateEmptyAsync();
        await using var db = new MySqlPaymentsDbContext(new DbContextOptionsBuilder<MySqlPaymentsDbContext>().UseMySQL(database.ConnectionString).AddInterceptors(MySqlCommandRewriter.Instance).Options);
        await SampleMigrations.AssertMatchTheModelAndCreateItAsync(db, "Payments");
    }

    [Fact]
    public async Task Runner_OnMariaDb_EveryOrderEndsAsItsGatewayAnswerDecides()
    {
        await using var orders = new MariaDbTestDatabase();
        await using var payments = new MariaDbTestDatabase();
        await orders.CreateEmptyAsync();
        await payments.CreateEmptyAsync();

        var (exitCode, output) = await OrderPaymentRun.RunAsync(
            200,
            ("Database__Provider", "MySql"),
            ("ConnectionStrings__Orders", orders.ConnectionString),
            ("ConnectionStrings__Payments", payments.ConnectionString));

        OrderPaymentRun.AssertEveryOrder(exitCode, output, 200, "InMemory", "MySql");
    }
}
