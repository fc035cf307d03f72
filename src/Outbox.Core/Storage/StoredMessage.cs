using System.Collections.ObjectModel;

namespace Outbox.Storage;

/// <summary>
/// One message in the outbox, as the outbox asks a store to write it and as a store hands it back when the
/// dispatcher or a transaction check claims it. Times carry their offset (Core passes UTC).
/// </summary>
/// <remarks>
/// A store keeps every property as it was given and changes only what its methods describe. It orders the
/// messages of one <see cref="Key"/> by <see cref="Id"/>, which it assigns when it writes the message.
/// </remarks>
public sealed record StoredMessage
{
    /// <summary>The store's id: increasing in the order messages are written; 0 until the store writes the message.</summary>
    public long Id { get; init; }

    /// <summary>The message id consumers use to detect duplicates.</summary>
    public Guid MessageId { get; init; }

    /// <summary>The routing key, queue or topic.</summary>
    public string Destination { get; init; } = "";

    /// <summary>The registered message type name.</summary>
    public string MessageType { get; init; } = "";

    /// <summary>The ordering key, if any: messages of one key are sent one after another, in <see cref="Id"/> order.</summary>
    public string? Key { get; init; }

    /// <summary>The serialized message.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Application headers and the W3C trace context.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Where the message is in its life.</summary>
    public MessageStatus Status { get; init; }

    /// <summary>Who decides a <see cref="MessageStatus.Prepared"/> message that no decision reaches.</summary>
    public MessageKind Kind { get; init; }

    /// <summary>When the message was published.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the message may be sent: its publish time, or later for a delayed message.</summary>
    public DateTimeOffset DueAt { get; init; }

    /// <summary>When the dispatcher may next try to send a pending message, or when a half message is next checked.</summary>
    public DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>When the transport accepted the message.</summary>
    public DateTimeOffset? DispatchedAt { get; init; }

    /// <summary>How many sends failed.</summary>
    public int Attempts { get; init; }

    /// <summary>The last send or check error.</summary>
    public string? LastError { get; init; }

    /// <summary>The instance that holds the message while it sends or checks it.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>When <see cref="LeaseOwner"/>'s hold runs out; another instance may then claim the message.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>How many times a transaction check looked at the message.</summary>
    public int CheckCount { get; init; }

    /// <summary>
    /// Whether the store gives the message its destination and key's next number (<c>outbox-seq</c>) in the
    /// transaction that saves it: set by the outbox when the message is published, for a keyed message of a
    /// numbered route sent at its commit. A store does not decide it again.
    /// </summary>
    public bool Sequenced { get; init; }
}
