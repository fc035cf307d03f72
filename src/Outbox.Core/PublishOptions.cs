namespace Outbox;

/// <summary>Per-message settings for <see cref="IOutbox.PublishAsync{TMessage}"/>.</summary>
public sealed class PublishOptions
{
    /// <summary>The transport destination (a routing key or topic).</summary>
    /// <value>The default is the route configured for the message type.</value>
    public string? Destination { get; init; }

    /// <summary>
    /// The ordering and partition key. Messages with the same key are sent in the order their
    /// transactions committed; a failing message holds back only the messages with its own key.
    /// </summary>
    /// <value>The default is no key: no ordering promise.</value>
    public string? Key { get; init; }

    /// <summary>Sends the message no earlier than this long after it is published.</summary>
    /// <value>The default is no delay. Do not set together with <see cref="DueAt"/>.</value>
    public TimeSpan? Delay { get; init; }

    /// <summary>Sends the message no earlier than this instant.</summary>
    /// <value>The default is no due time. Do not set together with <see cref="Delay"/>.</value>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>The message id, which consumers use to detect duplicates.</summary>
    /// <value>The default is a new time-ordered (version 7) <see cref="Guid"/>.</value>
    public Guid? MessageId { get; init; }

    /// <summary>
    /// For a half message (<see cref="IOutbox.PrepareAsync{TMessage}"/>): how long after it is stored the
    /// first check may run, in place of <c>Outbox:Transactions:CheckAfter</c> (RocketMQ's check
    /// immunity time). Give a local transaction that is known to be slow more time.
    /// </summary>
    /// <value>The default is <c>Outbox:Transactions:CheckAfter</c>.</value>
    public TimeSpan? CheckImmunity { get; init; }

    /// <summary>Application headers sent with the message.</summary>
    /// <value>The default is no headers.</value>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
