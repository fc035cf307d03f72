using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>One row of the <c>outbox_dead_letters</c> table. Times are UTC.</summary>
internal sealed class DeadLetterRecord
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public string Destination { get; set; } = "";

    public string MessageType { get; set; } = "";

    public string? MessageKey { get; set; }

    public byte[] Payload { get; set; } = [];

    public string? Headers { get; set; }

    /// <summary>Who gave up on the message: one of <see cref="DeadLetterSources"/>.</summary>
    public string Source { get; set; } = DeadLetterSources.Dispatch;

    public string? ConsumerName { get; set; }

    public string Reason { get; set; } = "";

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime DeadLetteredAt { get; set; }
}
