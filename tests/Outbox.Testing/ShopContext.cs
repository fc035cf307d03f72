using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore;

namespace Outbox.Testing;

public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(e =>
        {
            e.ToTable("orders");
            e.Property(o => o.Customer).HasMaxLength(100);
        });
        modelBuilder.AddOutboxTables();
    }
}

public sealed class Order
{
    public long Id { get; set; }

    public string Customer { get; set; } = "";

    public decimal Total { get; set; }
}

public sealed record OrderPlaced(long OrderId, string Customer);

public sealed record OrderShipped(long OrderId);

public sealed record PaymentRequested(long OrderId, decimal Amount);
