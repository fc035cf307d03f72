using Microsoft.EntityFrameworkCore;

namespace OrderPayment.Payments;

/// <summary>The Payments service's data and its outbox tables; its migrations are for SQLite, in Migrations/Sqlite.</summary>
public class PaymentsDbContext : DbContext
{
    public PaymentsDbContext(DbContextOptions<PaymentsDbContext> options)
        : base(options)
    {
    }

    protected PaymentsDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Payment> Payments => Set<Payment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Payment>().HasKey(p => p.OrderId);
        modelBuilder.AddOutboxTables();
    }
}

/// <summary>The same model on PostgreSQL, with its migrations in Migrations/PostgreSql.</summary>
public sealed class PostgreSqlPaymentsDbContext(DbContextOptions<PostgreSqlPaymentsDbContext> options) : PaymentsDbContext(options);

/// <summary>The same model on MariaDB or MySQL, with its migrations in Migrations/MySql.</summary>
public sealed class MySqlPaymentsDbContext(DbContextOptions<MySqlPaymentsDbContext> options) : PaymentsDbContext(options);

public enum PaymentStatus
{
    /// <summary>OrderPlaced arrived; the gateway has not been asked yet.</summary>
    Requested,

    /// <summary>The gateway did not answer: the half message waits for the check callback.</summary>
    AwaitingCheck,
    Captured,
    Failed,
}

public sealed class Payment
{
    public Guid OrderId { get; set; }

    public string Customer { get; set; } = "";

    public decimal Amount { get; set; }

    public PaymentStatus Status { get; set; }

    public string? ChargeId { get; set; }

    public string? FailureReason { get; set; }

    /// <summary>How often the check callback was asked about this payment's half message.</summary>
    public int Checks { get; set; }

    /// <summary>The OrderPlaced message this payment was requested by.</summary>
    public Guid RequestedBy { get; set; }

    /// <summary>When Orders placed the order (from the message), and when this service handled its OrderPlaced.</summary>
    public DateTime PlacedAt { get; set; }

    public DateTime ReceivedAt { get; set; }
}
