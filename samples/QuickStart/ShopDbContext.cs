using Microsoft.EntityFrameworkCore;
using Outbox;

namespace QuickStart;

public sealed class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    public DbSet<Payment> Payments => Set<Payment>();

    public DbSet<Shipment> Shipments => Set<Shipment>();

    #region model
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddOutboxTables();
    #endregion
}

public sealed class Order
{
    public int Id { get; set; }

    public string Customer { get; set; } = "";
}

public sealed record OrderPlaced(int OrderId, string Customer);

public sealed record ReminderDue(int OrderId);

public sealed record AuditRecorded(string What);

public sealed class Payment
{
    public int Id { get; set; }

    public int OrderId { get; set; }

    public decimal Amount { get; set; }
}

public sealed record PaymentRequested(int OrderId, decimal Amount);

#region payment-check
/// <summary>Asked when a payment's half message never got its commit or rollback: was the order charged?</summary>
public sealed class PaymentCheck(ShopDbContext db) : ITransactionCheck<PaymentRequested>
{
    public async ValueTask<LocalTransactionState> CheckAsync(PaymentRequested message, TransactionCheckContext context, CancellationToken cancellationToken) =>
        await db.Payments.AnyAsync(p => p.OrderId == message.OrderId, cancellationToken)
            ? LocalTransactionState.Commit
            : LocalTransactionState.Unknown;
}
#endregion

public sealed class Shipment
{
    public int Id { get; set; }

    public int OrderId { get; set; }
}

#region handler
/// <summary>A consumer: ships each placed order once, however often the broker delivers the message.</summary>
public sealed class ShippingHandler(ShopDbContext db) : IMessageHandler<OrderPlaced>
{
    public ValueTask HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Shipments.Add(new Shipment { OrderId = message.OrderId });
        return ValueTask.CompletedTask;
    }
}
#endregion
