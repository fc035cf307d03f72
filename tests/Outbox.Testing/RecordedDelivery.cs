using Outbox.Transport;

namespace Outbox.Testing;

/// <summary>A delivery that records how it was settled.</summary>
public sealed class RecordedDelivery(TransportMessage message, int attempt = 1) : IDelivery
{
    public TransportMessage Message { get; } = message;

    public int Attempt { get; } = attempt;

    public bool Acknowledged { get; private set; }

    public TimeSpan? RedeliveredAfter { get; private set; }

    public ValueTask AcknowledgeAsync(CancellationToken cancellationToken)
    {
        Acknowledged = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        RedeliveredAfter = delay;
        return ValueTask.CompletedTask;
    }

    public RecordedDelivery Next() => new(Message, Attempt + 1);
}
