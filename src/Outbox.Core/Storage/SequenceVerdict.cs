namespace Outbox.Storage;

/// <summary>What a message's sequence number is, against the numbers its consumer handled before.</summary>
public enum SequenceVerdict
{
    /// <summary>The first number the consumer sees from this producer and key: where its checking starts.</summary>
    First = 0,

    /// <summary>The next number: nothing is missing.</summary>
    Next = 1,

    /// <summary>Higher than the next: the numbers between are missing.</summary>
    Gap = 2,

    /// <summary>A number that was missing: it arrived late, and is no longer missing.</summary>
    Late = 3,

    /// <summary>A number already handled, or lower than one handled and never missing: a repeat or a step backwards.</summary>
    OutOfOrder = 4,

    /// <summary>
    /// A number counted before, arriving again as a dead letter requeued for this consumer: handled now,
    /// and neither a repeat nor a step backwards.
    /// </summary>
    Requeued = 5,
}
