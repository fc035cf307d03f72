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
    DateTimeOffset CreatedAt);
