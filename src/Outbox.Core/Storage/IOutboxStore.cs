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

    /// <summary>
    /// Moves rows to the dead-letter table. With <paramref name="onlyIfPreparedFor"/>, only rows still
    /// prepared and leased to that owner move (a decision that arrived meanwhile wins); returns how many moved.
    /// </summary>
    Task<int> DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTime now, CancellationToken cancellationToken, string? onlyIfPreparedFor = null);

    /// <summary>The earliest attempt time of a pending row later than <paramref name="now"/>, if any.</summary>
    Task<DateTime?> GetNextDueAsync(DateTime now, CancellationToken cancellationToken);

    /// <summary>The creation time of the oldest unsent row, if any.</summary>
    Task<DateTime?> GetOldestUnsentAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Turns interceptor-written prepared rows older than <paramref name="preparedBefore"/> whose lease
    /// has run out into pending rows, except rows of <paramref name="checkedTypes"/>, which their check decides.
    /// </summary>
    Task<int> RecoverStalePreparedAsync(DateTime now, DateTime preparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken);

    /// <summary>Writes a row now, in a transaction of its own.</summary>
    Task InsertAsync(OutboxRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Commits (to pending, due at its due time) or rolls back a prepared half message, if it is still
    /// prepared; otherwise reports the status it has, or <see langword="null"/> when there is no such row.
    /// </summary>
    Task<(bool Applied, MessageStatus? Current)> DecideAsync(Guid messageId, bool commit, DateTime now, CancellationToken cancellationToken);

    /// <summary>
    /// Leases to <paramref name="owner"/> up to <paramref name="batchSize"/> prepared rows due for a check:
    /// half messages whose check time has come, and interceptor-written rows of
    /// <paramref name="checkedTypes"/> older than <paramref name="outboxPreparedBefore"/>. A row is leased
    /// by one instance only, whoever else claims at the same time.
    /// </summary>
    Task<IReadOnlyList<OutboxRecord>> ClaimChecksAsync(
        string owner, DateTime now, DateTime leaseUntil, DateTime outboxPreparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Records a check on rows still prepared and leased to <paramref name="owner"/>: counts it, and
    /// either decides them (<paramref name="decided"/> is pending or rolled back) or schedules the next
    /// check at <paramref name="nextCheckAt"/> with <paramref name="error"/>. Returns how many rows it applied to.
    /// </summary>
    Task<int> ApplyCheckAsync(
        IReadOnlyCollection<long> ids, string owner, MessageStatus? decided, DateTime now, DateTime nextCheckAt, string? error, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> dispatched or rolled-back rows older than <paramref name="before"/>.</summary>
    Task<int> DeleteFinishedAsync(DateTime before, int batchSize, CancellationToken cancellationToken);

    /// <summary>Sets aside a delivery a consumer could not handle, with the consumer's name and the reason.</summary>
    Task DeadLetterDeliveryAsync(Outbox.Transport.TransportMessage message, string consumer, string reason, int attempts, string? error, DateTime now, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> inbox rows received before <paramref name="before"/>.</summary>
    Task<int> DeleteInboxAsync(DateTime before, int batchSize, CancellationToken cancellationToken);
}
