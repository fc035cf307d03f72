namespace Outbox.Storage;

/// <summary>How one message's sequence number fits what its consumer handled before from the same producer and key.</summary>
/// <param name="Verdict">What the number is.</param>
/// <param name="Previous">The highest number handled before, 0 when none was.</param>
/// <param name="FirstMissing">For a <see cref="SequenceVerdict.Gap"/>: the first number missing.</param>
/// <param name="LastMissing">For a <see cref="SequenceVerdict.Gap"/>: the last number missing.</param>
public readonly record struct SequenceOutcome(SequenceVerdict Verdict, long Previous, long FirstMissing = 0, long LastMissing = 0)
{
    /// <summary>Gets how many numbers a gap left out.</summary>
    public long Missing => Verdict == SequenceVerdict.Gap ? LastMissing - FirstMissing + 1 : 0;
}
