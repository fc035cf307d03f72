namespace Outbox.Transport;

/// <summary>A message as handed to a transport.</summary>
/// <param name="MessageId">The message id; consumers use it to detect duplicates.</param>
/// <param name="Destination">The routing key or topic.</param>
/// <param name="MessageType">The registered message type name (never a CLR type name).</param>
/// <param name="Key">The ordering and partition key, if any.</param>
/// <param name="Body">The serialized message.</param>
/// <param name="ContentType">The body's media type, for example <c>application/json</c>.</param>
/// <param name="Headers">Application headers and the W3C trace context (<c>traceparent</c>, <c>tracestate</c>).</param>
/// <param name="CreatedAt">When the message was published.</param>
public sealed record TransportMessage(
    Guid MessageId,
    string Destination,
    string MessageType,
    string? Key,
    ReadOnlyMemory<byte> Body,
    string ContentType,
    IReadOnlyDictionary<string, string> Headers,
    DateTimeOffset CreatedAt)
{
    /// <summary>
    /// The header naming the one consumer a message is for: a consumer's dead letter, requeued. A transport
    /// delivers such a message to that consumer's own queue or stream only, never to the other subscribers
    /// of <see cref="Destination"/>.
    /// </summary>
    public const string ConsumerHeader = "outbox-consumer";

    /// <summary>
    /// The header holding the correlation id (RabbitMQ's <c>correlation_id</c>). A message published by a
    /// handler gets the handled message's correlation id, or that message's id when it had none.
    /// </summary>
    public const string CorrelationIdHeader = "correlation-id";

    /// <summary>
    /// The header holding the message's sequence number: consecutive, from 1, per producer, destination and
    /// key. A consumer with <c>CheckSequence</c> on reports a number that is missing, late or out of order.
    /// </summary>
    public const string SequenceHeader = "outbox-seq";

    /// <summary>The header naming the producer whose numbers <see cref="SequenceHeader"/> counts (a stable service name).</summary>
    public const string SourceHeader = "outbox-source";

    /// <summary>The consumer this message is for only, from <see cref="ConsumerHeader"/>; <see langword="null"/> for a message to every subscriber.</summary>
    public string? TargetConsumer => Headers.GetValueOrDefault(ConsumerHeader);

    /// <summary>
    /// Why a received message cannot be handled, as the transport found while reading it (a key that is not
    /// text, a reserved header twice, ...), naming the field; <see langword="null"/> for a sound message. A
    /// consumer sets a message with a defect aside in the dead-letter table without running its handler.
    /// The transport still fills the other fields as best it can, for the dead letter.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Defect { get; init; }
}
