using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrderPayment.Orders;
using OrderPayment.Payments;

namespace Outbox.Tests;

/// <summary>The order/payment sample's checked-in migrations: they match each service's model and create it, outbox tables included.</summary>
public sealed class OrderPaymentMigrationsTests
{
    [Fact]
    public Task OrdersMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase() =>
        AssertMigrationsAsync<OrdersDbContext>(options => new OrdersDbContext(options), "Orders");

    [Fact]
    public Task PaymentsMigrations_MatchTheModel_AndCreateItOnAnEmptyDatabase() =>
        AssertMigrationsAsync<PaymentsDbContext>(options => new PaymentsDbContext(options), "Payments");

    private static async Task AssertMigrationsAsync<TContext>(Func<DbContextOptions<TContext>, TContext> create, string table)
        where TContext : DbContext
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var db = create(new DbContextOptionsBuilder<TContext>().UseSqlite(connection).Options);

        Assert.False(db.Database.HasPendingModelChanges(), $"{typeof(TContext).Name}'s model has changed since its last migration: add one with dotnet ef migrations add.");
        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        foreach (var name in new[] { table, "outbox_messages", "inbox_messages", "outbox_dead_letters" })
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{name}\"";
            Assert.Equal(0L, await count.ExecuteScalarAsync());
        }
    }
}
