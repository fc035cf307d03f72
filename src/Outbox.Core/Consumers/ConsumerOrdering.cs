namespace Outbox;

/// <summary>How a consumer orders the messages that share a key.</summary>
public enum ConsumerOrdering
{
    /// <summary>
    /// One message of a key at a time, in the order the transport delivered them. While a message fails
    /// and waits to be tried again, the key's later messages wait too, unacknowledged (they hold
    /// prefetch slots); other keys keep flowing. Once the message is dead-lettered, the key moves on.
    /// Messages without a key are handled as they come.
    /// </summary>
    PerKey,

    /// <summary>
    /// No order: messages are handled as they come, up to <c>MaxConcurrency</c> at once. A failing
    /// message goes back through the transport's redelivery delay while the messages behind it go on.
    /// </summary>
    None,
}
