using Microsoft.EntityFrameworkCore;

namespace OrderPayment.Orders;

/// <summary>The Orders service's data and its outbox tables; its migrations are for SQLite, in Migrations/Sqlite.</summary>
public class OrdersDbContext : DbContext
{
    public OrdersDbContext(DbContextOptions<OrdersDbContext> options)
        : base(options)
    {
    }

    protected OrdersDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<OrderEvent> OrderEvents => Set<OrderEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>().HasMany(o => o.History).WithOne().HasForeignKey(e => e.OrderId);
        modelBuilder.AddOutboxTables(); // outbox_messages, outbox_dead_letters, inbox_messages, and the sequence tables
    }
}

/// <summary>The same model on PostgreSQL, with its migrations in Migrations/PostgreSql.</summary>
public sealed class PostgreSqlOrdersDbContext(DbContextOptions<PostgreSqlOrdersDbContext> options) : OrdersDbContext(options);

/// <summary>The same model on MariaDB or MySQL, with its migrations in Migrations/MySql.</summary>
public sealed class MySqlOrdersDbContext(DbContextOptions<MySqlOrdersDbContext> options) : OrdersDbContext(options);

public enum OrderStatus
{
    Placed,
    Paid,
    Cancelled,
}

public sealed class Order
{
    public Guid Id { get; set; }

    public string Customer { get; set; } = "";

    public decimal Amount { get; set; }

    public OrderStatus Status { get; set; }

    public List<OrderEvent> History { get; set; } = [];
}

/// <summary>One step of an order's journey, as this service saw it.</summary>
public sealed class OrderEvent
{
    public int Id { get; set; }

    public Guid OrderId { get; set; }

    public DateTime At { get; set; }

    public string What { get; set; } = "";
}
