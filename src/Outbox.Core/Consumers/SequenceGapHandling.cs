namespace Outbox;

/// <summary>What a consumer that checks sequence numbers does with a message that leaves numbers of its key missing.</summary>
public enum SequenceGapHandling
{
    /// <summary>Handles the message at once and reports the missing numbers as a gap.</summary>
    Report,

    /// <summary>
    /// Holds the message, unsettled and not yet handled, until the missing numbers have been handled (by
    /// this instance or another) or <c>Outbox:Consumers:SequenceHoldTimeout</c> has passed since it was
    /// first held; then handles it, reporting the numbers still missing as a gap. With per-key ordering the
    /// key's later messages wait behind it.
    /// </summary>
    Hold,
}
