using Microsoft.EntityFrameworkCore;
using OrderPayment.Contracts;
using Outbox;
using Outbox.Consumers;

namespace OrderPayment.Payments;

/// <summary>Records each placed order's payment once, however often the broker delivers the message.</summary>
public sealed class OrderPlacedHandler(PaymentsDbContext db, PaymentSignal signal, TimeProvider clock) : IMessageHandler<OrderPlaced>
{
    public ValueTask HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Payments.Add(new Payment
        {
            OrderId = message.OrderId,
            Customer = message.Customer,
            Amount = message.Amount,
            Status = PaymentStatus.Requested,
            RequestedBy = context.MessageId,
            PlacedAt = message.PlacedAt,
            ReceivedAt = clock.GetUtcNow().UtcDateTime,
        });
        signal.Wake();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Charges the requested payments. The outcome is decided by the gateway, outside this database, so
/// PaymentCaptured is a transactional message: a half message first, then the charge, then commit or
/// rollback; when the gateway does not answer, <see cref="PaymentCheck"/> asks it later.
/// </summary>
public sealed class PaymentProcessor(IServiceScopeFactory scopes, PaymentSignal signal) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
                var requested = await db.Payments.Where(p => p.Status == PaymentStatus.Requested).OrderBy(p => p.OrderId).Take(50).ToListAsync(stoppingToken);
                foreach (var payment in requested)
                {
                    await ChargeAsync(db, scope.ServiceProvider.GetRequiredService<IOutbox>(), scope.ServiceProvider.GetRequiredService<FakeGateway>(), payment, stoppingToken);
                }
            }

            await signal.WaitAsync(TimeSpan.FromMilliseconds(500), stoppingToken);
        }
    }

    private static async Task ChargeAsync(PaymentsDbContext db, IOutbox outbox, FakeGateway gateway, Payment payment, CancellationToken cancellationToken)
    {
        await outbox.SendInTransactionAsync(
            new PaymentCaptured(payment.OrderId, payment.Amount),
            async (message, ct) =>
            {
                try
                {
                    var (status, chargeId) = await gateway.ChargeAsync(payment.OrderId, payment.Customer, payment.Amount);
                    payment.ChargeId = chargeId;
                    if (status == ChargeStatus.Captured)
                    {
                        payment.Status = PaymentStatus.Captured;
                        await db.SaveChangesAsync(ct);
                        return LocalTransactionState.Commit;
                    }

                    payment.Status = PaymentStatus.Failed;
                    payment.FailureReason = "declined by the gateway";
                    await outbox.PublishAsync(new PaymentFailed(payment.OrderId, payment.FailureReason), cancellationToken: ct);
                    await db.SaveChangesAsync(ct); // the payment and PaymentFailed, in one transaction
                    return LocalTransactionState.Rollback;
                }
                catch (TimeoutException)
                {
                    // Charged or not? Only the gateway knows: the check callback asks it.
                    payment.Status = PaymentStatus.AwaitingCheck;
                    await db.SaveChangesAsync(ct);
                    return LocalTransactionState.Unknown;
                }
            },
            cancellationToken: cancellationToken);
    }
}

/// <summary>Asked about a PaymentCaptured half message that got neither commit nor rollback: did the gateway charge?</summary>
public sealed class PaymentCheck(PaymentsDbContext db, IOutbox outbox, FakeGateway gateway) : ITransactionCheck<PaymentCaptured>
{
    public async ValueTask<LocalTransactionState> CheckAsync(PaymentCaptured message, TransactionCheckContext context, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.SingleAsync(p => p.OrderId == message.OrderId, cancellationToken);
        payment.Checks++;
        var (status, chargeId) = await gateway.StatusAsync(message.OrderId);
        var decision = status switch
        {
            ChargeStatus.Captured => LocalTransactionState.Commit,
            ChargeStatus.Pending => LocalTransactionState.Unknown,
            _ => LocalTransactionState.Rollback,
        };
        if (decision == LocalTransactionState.Commit)
        {
            (payment.Status, payment.ChargeId) = (PaymentStatus.Captured, chargeId);
        }
        else if (decision == LocalTransactionState.Rollback)
        {
            (payment.Status, payment.FailureReason) = (PaymentStatus.Failed, "the gateway has no successful charge");
            await outbox.PublishAsync(new PaymentFailed(message.OrderId, payment.FailureReason), cancellationToken: cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return decision;
    }
}

/// <summary>Wakes the processor when a payment was requested, so it does not wait for its next look.</summary>
public sealed class PaymentSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already woken
        }
    }

    /// <summary>Returns once woken, or after <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
