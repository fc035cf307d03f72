namespace Outbox.Transport;

/// <summary>Sends messages to a broker. Implemented by each transport package.</summary>
public interface ITransport
{
    /// <summary>
    /// Sends a batch. The transport may send the messages concurrently; it reports one result per
    /// message, in the order of <paramref name="batch"/>. Throwing fails the whole batch.
    /// </summary>
    /// <param name="batch">The messages; at most one per key.</param>
    /// <param name="cancellationToken">Cancels the send; messages not confirmed count as failed.</param>
    ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken);
}
