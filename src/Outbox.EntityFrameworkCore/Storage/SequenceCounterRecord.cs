namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>The last number given to a destination's key (<c>outbox_sequences</c>); incremented in each numbered message's transaction.</summary>
internal sealed class SequenceCounterRecord
{
    public string Destination { get; set; } = "";

    public string MessageKey { get; set; } = "";

    public long LastSequence { get; set; }
}
