namespace Outbox.EntityFrameworkCore.Inbox;

/// <summary>The highest sequence number a consumer handled of one producer's key (<c>inbox_sequences</c>).</summary>
internal sealed class SequenceRecord
{
    public string Consumer { get; set; } = "";

    public string Source { get; set; } = "";

    public string MessageKey { get; set; } = "";

    public long LastSequence { get; set; }

    public DateTime UpdatedAt { get; set; }
}
