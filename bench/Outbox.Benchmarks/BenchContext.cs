using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore;

namespace Outbox.Benchmarks;

public sealed class BenchContext(DbContextOptions<BenchContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    public DbSet<OrderLine> OrderLines => Set<OrderLine>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>().ToTable("orders");
        modelBuilder.Entity<OrderLine>().ToTable("order_lines");
        modelBuilder.AddOutboxTables();
    }
}

public sealed class Order
{
    public long Id { get; set; }

    public string Customer { get; set; } = "";

    public decimal Total { get; set; }
}

public sealed class OrderLine
{
    public long Id { get; set; }

    public long OrderId { get; set; }

    public string Sku { get; set; } = "";

    public int Quantity { get; set; }
}

public sealed record OrderPlaced(long OrderId, string Customer, decimal Total);
