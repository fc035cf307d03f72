namespace Outbox;

/// <summary>A message that could not be delivered, as it was when it gave up, with the reason.</summary>
/// <param name="MessageId">The message id.</param>
/// <param name="Destination">Where it was going.</param>
/// <param name="MessageType">The registered message type name.</param>
/// <param name="Key">The ordering key, if any.</param>
/// <param name="Payload">The serialized message.</param>
/// <param name="Headers">The message headers.</param>
/// <param name="Reason">Why it was dead-lettered, for example <c>max-attempts</c>.</param>
/// <param name="Attempts">How many sends were tried.</param>
/// <param name="LastError">The last error reported by the transport.</param>
/// <param name="CreatedAt">When the message was published (UTC).</param>
/// <param name="DeadLetteredAt">When it was dead-lettered (UTC).</param>
/// <param name="Source">Who gave up on it: one of <see cref="Storage.DeadLetterSources"/>.</param>
/// <param name="Consumer">The consumer that gave up on it, when <paramref name="Source"/> is a consumer.</param>
public sealed record DeadLetter(
    Guid MessageId,
    string Destination,
    string MessageType,
    string? Key,
    ReadOnlyMemory<byte> Payload,
    IReadOnlyDictionary<string, string> Headers,
    string Reason,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset DeadLetteredAt,
    string Source,
    string? Consumer);
