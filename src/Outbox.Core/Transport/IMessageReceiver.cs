namespace Outbox.Transport;

/// <summary>The receive side of a transport: each consumer reads its own stream of every message sent to its source.</summary>
public interface IMessageReceiver
{
    /// <summary>Deliveries for <paramref name="consumer"/> from <paramref name="source"/>, until <paramref name="cancellationToken"/> is cancelled.</summary>
    IAsyncEnumerable<IDelivery> ReceiveAsync(string source, string consumer, CancellationToken cancellationToken);
}
