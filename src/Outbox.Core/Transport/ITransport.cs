using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Outbox.Transport;

/// <summary>Sends messages to a broker. Implemented by each transport package.</summary>
public interface ITransport
{
    /// <summary>
    /// Sends a batch. The transport may send the messages concurrently; it reports one result per
    /// message, in the order of <paramref name="batch"/>. Throwing fails the whole batch.
    /// </summary>
    /// <param name="batch">
    /// The messages, in the order they were published. At most one per key, unless the transport
    /// <see cref="KeepsKeyOrderInBatch"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the send; messages not confirmed count as failed.</param>
    ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a batch may hold several messages of one key. A transport that says so delivers a key's
    /// messages in batch order (Kafka with an idempotent producer: one partition per key), and once one of
    /// them is not sent it sends none of the key's later messages in the batch, reporting them as not sent.
    /// The dispatcher then sends a key's whole run in one call; otherwise it sends one message per key at a
    /// time, in waves.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    bool KeepsKeyOrderInBatch => false;

    /// <summary>
    /// Whether the transport reaches its broker now, for <c>AddOutboxHealthChecks</c>: Unhealthy when it
    /// cannot, with the reason. Called on every health probe, so it is cheap and does not log.
    /// </summary>
    /// <param name="cancellationToken">Cancels the check (the health check's time-out).</param>
    /// <value>The default is Healthy, for a transport without a broker to reach.</value>
    Task<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken) =>
        Task.FromResult(HealthCheckResult.Healthy("Nothing to reach."));
}
