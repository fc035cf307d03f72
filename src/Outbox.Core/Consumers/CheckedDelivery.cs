using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>
/// A delivery as the consumer host takes it after checking what the transport read: the message with its
/// fields made storable and its defect named, or the attempt counted from 1 when the transport's count was
/// not one the outbox writes. Settling it settles the original.
/// </summary>
internal sealed class CheckedDelivery(IDelivery original, TransportMessage message, int attempt) : IDelivery
{
    public TransportMessage Message { get; } = message;

    public int Attempt { get; } = attempt;

    public ValueTask AcknowledgeAsync(CancellationToken cancellationToken) => original.AcknowledgeAsync(cancellationToken);

    public ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken) => original.RedeliverAsync(delay, cancellationToken);
}
