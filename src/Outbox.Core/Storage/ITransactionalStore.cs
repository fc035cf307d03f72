namespace Outbox.Storage;

/// <summary>What half messages and their checks need from the outbox table.</summary>
internal interface ITransactionalStore
{
    /// <summary>Writes a row now, in a transaction of its own.</summary>
    Task InsertAsync(OutboxRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Commits a half message that is still prepared: it becomes pending, due at its due time. Otherwise
    /// reports the status it has, or <see langword="null"/> when there is no such row.
    /// </summary>
    Task<HalfMessageDecision> CommitAsync(Guid messageId, DateTime now, CancellationToken cancellationToken);

    /// <summary>Rolls back a half message that is still prepared; otherwise reports the status it has, as <see cref="CommitAsync"/>.</summary>
    Task<HalfMessageDecision> RollbackAsync(Guid messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Turns interceptor-written prepared rows older than <paramref name="preparedBefore"/> whose lease
    /// has run out into pending rows, except rows of <paramref name="checkedTypes"/>, which their check decides.
    /// </summary>
    Task<int> RecoverStalePreparedAsync(DateTime now, DateTime preparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Leases to <paramref name="owner"/> up to <paramref name="batchSize"/> prepared rows due for a check:
    /// half messages whose check time has come, and interceptor-written rows of
    /// <paramref name="checkedTypes"/> older than <paramref name="outboxPreparedBefore"/>. A row is leased
    /// by one instance only, whoever else claims at the same time.
    /// </summary>
    Task<IReadOnlyList<OutboxRecord>> ClaimChecksAsync(
        string owner, DateTime now, DateTime leaseUntil, DateTime outboxPreparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken);

    /// <summary>Counts a check that answered commit on rows still prepared and leased to <paramref name="owner"/>, and makes them pending. Returns how many.</summary>
    Task<int> CommitCheckedAsync(IReadOnlyCollection<long> ids, string owner, DateTime now, CancellationToken cancellationToken);

    /// <summary>Counts a check that answered rollback on rows still prepared and leased to <paramref name="owner"/>, and rolls them back. Returns how many.</summary>
    Task<int> RollbackCheckedAsync(IReadOnlyCollection<long> ids, string owner, CancellationToken cancellationToken);

    /// <summary>Counts an undecided check on rows still prepared and leased to <paramref name="owner"/> and schedules the next one. Returns how many.</summary>
    Task<int> ScheduleNextCheckAsync(IReadOnlyCollection<long> ids, string owner, DateTime nextCheckAt, string? error, CancellationToken cancellationToken);

    /// <summary>
    /// Moves to the dead-letter table the rows still prepared and leased to <paramref name="owner"/>: a
    /// commit or rollback that arrived meanwhile wins. Returns how many moved.
    /// </summary>
    Task<int> DeadLetterUndecidedAsync(IReadOnlyCollection<DeadLetterRequest> requests, string owner, DateTime now, CancellationToken cancellationToken);
}
