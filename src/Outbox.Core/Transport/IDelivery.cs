namespace Outbox.Transport;

/// <summary>A message a transport handed to a consumer, to be acknowledged or redelivered once handled.</summary>
public interface IDelivery
{
    /// <summary>The message.</summary>
    TransportMessage Message { get; }

    /// <summary>Which delivery of this message to this consumer this is, from 1.</summary>
    int Attempt { get; }

    /// <summary>Settles the delivery: the broker forgets it. Called only after the handler's transaction committed.</summary>
    ValueTask AcknowledgeAsync(CancellationToken cancellationToken);

    /// <summary>Settles the delivery and has the message delivered again after <paramref name="delay"/>, with the attempt counted.</summary>
    ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken);
}
