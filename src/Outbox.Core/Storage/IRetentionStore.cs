namespace Outbox.Storage;

/// <summary>
/// What the retention job needs: deleting finished outbox messages, old inbox records and old dead letters, a
/// batch at a time. Times carry their offset (Core passes UTC). Every instance may run the job at once: a batch should skip rows another
/// instance is deleting rather than wait for them.
/// </summary>
public interface IRetentionStore
{
    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> finished messages: dispatched before <paramref name="before"/>,
    /// or rolled back and created before it.
    /// </summary>
    /// <returns>How many it deleted; the job calls again until fewer than <paramref name="batchSize"/>.</returns>
    Task<int> DeleteFinishedAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> inbox records received before <paramref name="before"/>.</summary>
    /// <returns>How many it deleted.</returns>
    Task<int> DeleteInboxAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> dead letters recorded before <paramref name="before"/>.</summary>
    /// <returns>How many it deleted.</returns>
    Task<int> DeleteDeadLettersAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> of the last sequence numbers consumers recorded (see
    /// <see cref="ISequenceLedger"/>) for keys that have had no message since <paramref name="before"/> and
    /// have no numbers missing. A store without a sequence ledger keeps this default, which deletes nothing.
    /// </summary>
    /// <returns>How many it deleted.</returns>
    Task<int> DeleteSequencesAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) => Task.FromResult(0);
}
