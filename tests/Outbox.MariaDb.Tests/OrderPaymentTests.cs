using Microsoft.EntityFrameworkCore;
using OrderPayment.Orders;
using OrderPayment.Payments;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// The order/payment sample on MariaDB: its MySql migrations (applied as UseOutbox's context applies them, with the
/// provider's migration lock rewritten for MariaDB), and a whole run with both services' databases there.
/// </summary>
public sealed class OrderPaymentTests
{
    [Fact]
    public Task OrdersMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase() => SampleMigrations.AssertOnAnEmptyDatabaseAsync(
        () => new MariaDbTestDatabase(),
        connection => new MySqlOrdersDbContext(new DbContextOptionsBuilder<MySqlOrdersDbContext>().UseMySQL(connection).AddInterceptors(MySqlCommandRewriter.Instance).Options),
        "Orders");

    [Fact]
    public Task PaymentsMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase() => SampleMigrations.AssertOnAnEmptyDatabaseAsync(
        () => new MariaDbTestDatabase(),
        connection => new MySqlPaymentsDbContext(new DbContextOptionsBuilder<MySqlPaymentsDbContext>().UseMySQL(connection).AddInterceptors(MySqlCommandRewriter.Instance).Options),
        "Payments");

    [Fact]
    public Task Runner_OnMariaDb_EveryOrderEndsAsItsGatewayAnswerDecides() =>
        OrderPaymentRun.AssertAWholeRunOnAsync("MySql", () => new MariaDbTestDatabase());
}
