using Outbox.Storage;

namespace Outbox;

/// <summary>Which outbox messages <see cref="IOutboxMonitor.ListMessagesAsync"/> returns. Unset properties match every message.</summary>
public sealed record MessageFilter
{
    /// <summary>Gets only messages in this state.</summary>
    public MessageStatus? Status { get; init; }

    /// <summary>Gets only messages of this kind: <see cref="MessageKind.Transactional"/> for half messages and their outcome.</summary>
    public MessageKind? Kind { get; init; }

    /// <summary>Gets only messages to this destination.</summary>
    public string? Destination { get; init; }

    /// <summary>Gets only messages of this registered type name.</summary>
    public string? MessageType { get; init; }

    /// <summary>Gets only messages with this ordering key.</summary>
    public string? Key { get; init; }

    /// <summary>Gets only messages published at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Gets only messages published before this instant.</summary>
    public DateTimeOffset? Before { get; init; }
}
