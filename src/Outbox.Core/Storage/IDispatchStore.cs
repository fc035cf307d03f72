namespace Outbox.Storage;

/// <summary>What the dispatcher needs from the outbox table: claiming due rows and recording what became of them.</summary>
internal interface IDispatchStore
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

    /// <summary>Marks rows the transport accepted as dispatched at <paramref name="now"/>.</summary>
    Task MarkDispatchedAsync(IReadOnlyCollection<long> ids, DateTime now, CancellationToken cancellationToken);

    /// <summary>Returns rows whose send failed to pending, with their attempt count, next attempt time and error.</summary>
    Task MarkFailedAsync(IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken);

    /// <summary>Returns leased rows to pending without counting an attempt.</summary>
    Task ReleaseAsync(IReadOnlyCollection<long> ids, DateTime nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Moves rows to the dead-letter table, with their reasons, in one transaction.</summary>
    Task DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTime now, CancellationToken cancellationToken);

    /// <summary>The earliest attempt time of a pending row later than <paramref name="now"/>, if any.</summary>
    Task<DateTime?> GetNextDueAsync(DateTime now, CancellationToken cancellationToken);

    /// <summary>The creation time of the oldest unsent row, if any.</summary>
    Task<DateTime?> GetOldestUnsentAsync(CancellationToken cancellationToken);
}
