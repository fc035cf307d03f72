namespace Outbox.Transport;

/// <summary>The receive side of a transport: each consumer reads its own stream of every message sent to its source.</summary>
public interface IMessageReceiver
{
    /// <summary>
    /// Creates what <paramref name="consumer"/> reads from (a queue and its binding, say), if the transport
    /// has such a thing. Called for every consumer at start-up, so a broker that refuses it stops the start.
    /// </summary>
    ValueTask DeclareAsync(string source, string consumer, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Deliveries for <paramref name="consumer"/> from <paramref name="source"/>, until <paramref name="cancellationToken"/>
    /// is cancelled. Deliveries stay settleable until the enumerator is disposed; those not settled by
    /// then are delivered again. Ending with an exception makes the consumer host read again later.
    /// </summary>
    IAsyncEnumerable<IDelivery> ReceiveAsync(string source, string consumer, CancellationToken cancellationToken);
}
