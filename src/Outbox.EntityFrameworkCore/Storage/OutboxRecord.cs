using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>One row of the <c>outbox_messages</c> table: the mapped form of a <see cref="StoredMessage"/>. Times are UTC.</summary>
internal sealed class OutboxRecord
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public string Destination { get; set; } = "";

    public string MessageType { get; set; } = "";

    public string? MessageKey { get; set; }

    public byte[] Payload { get; set; } = [];

    /// <summary>The headers as a JSON object; <see langword="null"/> when there are none.</summary>
    public string? Headers { get; set; }

    public MessageStatus Status { get; set; }

    public MessageKind Kind { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime DueAt { get; set; }

    public DateTime NextAttemptAt { get; set; }

    public DateTime? DispatchedAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTime? LeaseExpiresAt { get; set; }

    public int CheckCount { get; set; }

    public static OutboxRecord From(StoredMessage message) => new()
    {
        Id = message.Id,
        MessageId = message.MessageId,
        Destination = message.Destination,
        MessageType = message.MessageType,
        MessageKey = message.Key,
        Payload = StoredRows.Bytes(message.Body),
        Headers = HeadersJson.Write(message.Headers),
        Status = message.Status,
        Kind = message.Kind,
        CreatedAt = message.CreatedAt.UtcDateTime,
        DueAt = message.DueAt.UtcDateTime,
        NextAttemptAt = message.NextAttemptAt.UtcDateTime,
        DispatchedAt = message.DispatchedAt?.UtcDateTime,
        Attempts = message.Attempts,
        LastError = StoredRows.Truncate(message.LastError),
        LeaseOwner = message.LeaseOwner,
        LeaseExpiresAt = message.LeaseExpiresAt?.UtcDateTime,
        CheckCount = message.CheckCount,
    };

    public StoredMessage ToMessage() => new()
    {
        Id = Id,
        MessageId = MessageId,
        Destination = Destination,
        MessageType = MessageType,
        Key = MessageKey,
        Body = Payload,
        Headers = HeadersJson.Read(Headers),
        Status = Status,
        Kind = Kind,
        CreatedAt = StoredRows.Utc(CreatedAt),
        DueAt = StoredRows.Utc(DueAt),
        NextAttemptAt = StoredRows.Utc(NextAttemptAt),
        DispatchedAt = StoredRows.Utc(DispatchedAt),
        Attempts = Attempts,
        LastError = LastError,
        LeaseOwner = LeaseOwner,
        LeaseExpiresAt = StoredRows.Utc(LeaseExpiresAt),
        CheckCount = CheckCount,
    };
}
