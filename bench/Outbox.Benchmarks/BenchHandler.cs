using Outbox.Consumers;
using Outbox.Transport;

namespace Outbox.Benchmarks;

/// <summary>The handler both sides of the inbox benchmark run: one row per message.</summary>
public sealed class RecordOrderHandler(BenchContext db) : IMessageHandler<OrderPlaced>
{
    public ValueTask HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Orders.Add(new Order { Customer = message.Customer, Total = message.Total });
        return ValueTask.CompletedTask;
    }
}

/// <summary>A delivery with nothing to settle, so the benchmark measures the pipeline alone.</summary>
internal sealed class BenchDelivery(TransportMessage message) : IDelivery
{
    public TransportMessage Message { get; } = message;

    public int Attempt => 1;

    public ValueTask AcknowledgeAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The benchmark handler failed.");
}

/// <summary>Reports each message it handles, for the commit-to-consumer latency, and how long it spent in the consumer.</summary>
internal sealed class ArrivalHandler(System.Threading.Channels.ChannelWriter<Guid> arrivals, ConsumerTimes times) : IMessageHandler<OrderPlaced>
{
    public ValueTask HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        times.Record();
        return arrivals.WriteAsync(context.MessageId, cancellationToken);
    }
}
