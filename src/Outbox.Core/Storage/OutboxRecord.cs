namespace Outbox.Storage;

/// <summary>One row of the <c>outbox_messages</c> table. Times are UTC.</summary>
internal sealed class OutboxRecord
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public string Destination { get; set; } = "";

    public string MessageType { get; set; } = "";

    public string? MessageKey { get; set; }

    public byte[] Payload { get; set; } = [];

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

    public OutboxRecord Clone() => (OutboxRecord)MemberwiseClone();
}
