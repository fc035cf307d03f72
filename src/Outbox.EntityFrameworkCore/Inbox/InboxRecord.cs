namespace Outbox.EntityFrameworkCore.Inbox;

/// <summary>One row of <c>inbox_messages</c>: this consumer has handled this message (its transaction committed).</summary>
internal sealed class InboxRecord
{
    public Guid MessageId { get; set; }

    public string Consumer { get; set; } = "";

    public DateTime ReceivedAt { get; set; }
}
