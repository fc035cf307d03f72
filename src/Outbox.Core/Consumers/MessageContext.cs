using System.Diagnostics;

namespace Outbox;

/// <summary>What a handler is told about the message it handles.</summary>
/// <param name="MessageId">The message id (the deduplication key).</param>
/// <param name="MessageType">The registered message type name.</param>
/// <param name="Key">The ordering key, if any.</param>
/// <param name="Headers">The message headers.</param>
/// <param name="DeliveryAttempt">Which delivery this is, from 1.</param>
/// <param name="Source">The destination it was read from.</param>
/// <param name="Consumer">The consumer name.</param>
/// <param name="TraceContext">The publisher's W3C trace context, if it sent one.</param>
public sealed record MessageContext(
    Guid MessageId,
    string MessageType,
    string? Key,
    IReadOnlyDictionary<string, string> Headers,
    int DeliveryAttempt,
    string Source,
    string Consumer,
    ActivityContext TraceContext);
