using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>
/// The next attempt of a delivery the consumer retries in place: the same message, unsettled at the
/// transport, counted one attempt further. Settling it settles the original.
/// </summary>
internal sealed class RetriedDelivery(IDelivery original) : IDelivery
{
    public TransportMessage Message => original.Message;

    public int Attempt { get; } = original.Attempt + 1;

    public ValueTask AcknowledgeAsync(CancellationToken cancellationToken) => original.AcknowledgeAsync(cancellationToken);

    public ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken) => original.RedeliverAsync(delay, cancellationToken);
}
