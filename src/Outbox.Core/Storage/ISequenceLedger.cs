namespace Outbox.Storage;

/// <summary>
/// A consumer's record of the last sequence number it handled per producer and key, and of the numbers it
/// found missing. Scoped: the inbox resolves it from the scope whose unit of work is the handler's
/// transaction, so what it records commits or rolls back with the handler's changes and the inbox row.
/// </summary>
public interface ISequenceLedger
{
    /// <summary>Records that <paramref name="consumer"/> handles number <paramref name="sequence"/> of <paramref name="key"/> from <paramref name="source"/>, and says how it fits.</summary>
    /// <param name="consumer">The consumer's name.</param>
    /// <param name="source">The producer, from the message's <c>outbox-source</c> header.</param>
    /// <param name="key">The message's key.</param>
    /// <param name="sequence">The message's number, from its <c>outbox-seq</c> header.</param>
    /// <param name="now">The time to record.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<SequenceOutcome> RecordAsync(string consumer, string source, string key, long sequence, DateTimeOffset now, CancellationToken cancellationToken);
}
