namespace Outbox.Storage;

/// <summary>What the dispatcher and the maintenance jobs need from the database.</summary>
internal interface IOutboxStore
{
    /// <summary>Fails with a message a person can act on when the store cannot work (tables not mapped, provider not supported).</summary>
    Task ValidateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="batchSize"/> due pending rows to <paramref name="owner"/>. Only the
    /// oldest unsent row of each key is returned, so a key never has two rows in flight.
    /// </summary>
    Task<IReadOnlyList<OutboxRecord>> ClaimAsync(string owner, DateTime now, DateTime leaseUntil, int batchSize, CancellationToken cancellationToken);

    /// <summary>For each key, the id of its oldest unsent row (pending, or prepared by the outbox interceptor).</summary>
    Task<IReadOnlyDictionary<string, long>> GetOldestUnsentIdsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    Task MarkDispatchedAsync(IReadOnlyCollection<long> ids, DateTime now, CancellationToken cancellationToken);

    Task MarkFailedAsync(IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken);

    /// <summary>Returns leased rows to pending without counting an attempt.</summary>
    Task ReleaseAsync(IReadOnlyCollection<long> ids, DateTime nextAttemptAt, CancellationToken cancellationToken);

    Task DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTime now, CancellationToken cancellationToken);

    /// <summary>The earliest attempt time of a pending row later than <paramref name="now"/>, if any.</summary>
    Task<DateTime?> GetNextDueAsync(DateTime now, CancellationToken cancellationToken);

    /// <summary>The creation time of the oldest unsent row, if any.</summary>
    Task<DateTime?> GetOldestUnsentAsync(CancellationToken cancellationToken);

    /// <summary>Turns interceptor-written prepared rows older than <paramref name="preparedBefore"/> whose lease has run out into pending rows.</summary>
    Task<int> RecoverStalePreparedAsync(DateTime now, DateTime preparedBefore, int batchSize, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> dispatched or rolled-back rows older than <paramref name="before"/>.</summary>
    Task<int> DeleteFinishedAsync(DateTime before, int batchSize, CancellationToken cancellationToken);
}
