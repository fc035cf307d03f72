using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrderPayment.Orders;
using OrderPayment.Payments;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The order/payment sample's checked-in SQLite migrations: they match each service's model and create it, outbox tables included.</summary>
public sealed class OrderPaymentMigrationsTests
{
    [Fact]
    public async Task OrdersMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase()
    {
        await using var connection = await OpenAsync();
        await using var db = new OrdersDbContext(new DbContextOptionsBuilder<OrdersDbContext>().UseSqlite(connection).Options);
        await SampleMigrations.AssertMatchTheModelAndCreateItAsync(db, "Orders");
    }

    [Fact]
    public async Task PaymentsMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase()
    {
        await using var connection = await OpenAsync();
        await using var db = new PaymentsDbContext(new DbContextOptionsBuilder<PaymentsDbContext>().UseSqlite(connection).Options);
        await SampleMigrations.AssertMatchTheModelAndCreateItAsync(db, "Payments");
    }

    private static async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        return connection;
    }
}
