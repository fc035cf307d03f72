namespace Outbox.Transport;

/// <summary>What happened to one message of a batch.</summary>
public enum SendStatus
{
    /// <summary>The broker accepted the message.</summary>
    Sent,

    /// <summary>
    /// The broker refused this message (a nack, too large); it will be retried. A rejection fails the
    /// message and its key only: other messages and keys keep flowing.
    /// </summary>
    Failed,

    /// <summary>The broker accepted the message but no destination exists for it; it will be retried, as a <see cref="Failed"/> one.</summary>
    Unroutable,

    /// <summary>
    /// The broker could not be reached for this message (the connection was lost, the send timed out); it
    /// will be retried. Like a send that throws, it counts toward the circuit breaker, which stops
    /// sending for a while when the broker looks down.
    /// </summary>
    Unavailable,
}
