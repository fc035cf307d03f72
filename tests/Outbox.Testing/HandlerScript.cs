using System.Collections.Concurrent;
using Outbox.Consumers;

namespace Outbox.Testing;

/// <summary>What the test handler does, and what it saw.</summary>
public sealed class HandlerScript
{
    private int _calls;

    /// <summary>Throws on the first this-many calls.</summary>
    public int FailFirst { get; set; }

    /// <summary>Throws for an order id as many times as given here, then handles it.</summary>
    public ConcurrentDictionary<long, int> FailOrder { get; } = new();

    /// <summary>Publishes an <see cref="OrderShipped"/> from the handler.</summary>
    public bool Publish { get; set; }

    /// <summary>Throws after publishing, so the handler's transaction rolls back.</summary>
    public bool FailAfterPublish { get; set; }

    /// <summary>Awaited inside the handler, to let deliveries overlap.</summary>
    public Func<OrderPlaced, Task>? During { get; set; }

    public int Calls => _calls;

    public ConcurrentQueue<(string? Key, long OrderId)> Handled { get; } = new();

    public ConcurrentQueue<MessageContext> Contexts { get; } = new();

    internal async Task RunAsync(OrderPlaced message, MessageContext context, Func<Task> publish)
    {
        var call = Interlocked.Increment(ref _calls);
        Contexts.Enqueue(context);
        if (call <= FailFirst)
        {
            throw new InvalidOperationException($"handler failure {call}");
        }

        if (FailOrder.TryGetValue(message.OrderId, out var left) && left > 0)
        {
            FailOrder[message.OrderId] = left - 1;
            throw new InvalidOperationException($"order {message.OrderId} fails, {left - 1} more time(s)");
        }

        if (During is not null)
        {
            await During(message);
        }

        if (Publish)
        {
            await publish();
        }

        if (FailAfterPublish)
        {
            throw new InvalidOperationException("failed after publishing");
        }

        Handled.Enqueue((context.Key, message.OrderId));
    }
}

/// <summary>The test consumer: records an order row per message it handles.</summary>
public sealed class OrderPlacedHandler(ShopContext db, IOutbox outbox, HandlerScript script) : IMessageHandler<OrderPlaced>
{
    public ValueTask HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Orders.Add(new Order { Customer = $"handled by {context.Consumer}", Total = message.OrderId });
        return new ValueTask(script.RunAsync(message, context, () => outbox.PublishAsync(new OrderShipped(message.OrderId), cancellationToken: cancellationToken).AsTask()));
    }
}
