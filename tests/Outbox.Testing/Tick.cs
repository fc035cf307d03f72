using Outbox.Consumers;

namespace Outbox.Testing;

/// <summary>The fault test's message: the <paramref name="Seq"/>-th message of <paramref name="Key"/>, numbered from 1 without gaps in commit order.</summary>
public sealed record Tick(string Key, long Seq);

/// <summary>Records each tick as an order row (customer = key, total = sequence number), in the handler's transaction with the inbox row.</summary>
public sealed class TickHandler(ShopContext db) : IMessageHandler<Tick>
{
    public ValueTask HandleAsync(Tick message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Orders.Add(new Order { Customer = message.Key, Total = message.Seq });
        return ValueTask.CompletedTask;
    }
}
