namespace Outbox.EntityFrameworkCore.Inbox;

/// <summary>Numbers of one producer's key a consumer has not received, a higher one having arrived (<c>inbox_sequence_gaps</c>).</summary>
internal sealed class SequenceGapRecord
{
    public long Id { get; set; }

    public string Consumer { get; set; } = "";

    public string Source { get; set; } = "";

    public string MessageKey { get; set; } = "";

    public long FirstMissing { get; set; }

    public long LastMissing { get; set; }

    public DateTime DetectedAt { get; set; }
}
