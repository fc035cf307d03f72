using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore;

namespace QuickStart;

public sealed class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddOutboxTables();
}

public sealed class Order
{
    public int Id { get; set; }

    public string Customer { get; set; } = "";
}

public sealed record OrderPlaced(int OrderId, string Customer);

public sealed record ReminderDue(int OrderId);

public sealed record AuditRecorded(string What);
