namespace Outbox.Storage;

/// <summary>
/// What half messages and their checks need from the outbox. A half message is
/// <see cref="MessageStatus.Prepared"/> with <see cref="MessageKind.Transactional"/>: the application
/// commits or rolls it back, or a check decides it. Methods that take an owner change only messages still
/// prepared and leased to that owner, so a decision that arrives meanwhile wins. Times carry their offset (Core passes UTC).
/// </summary>
public interface ITransactionalStore
{
    /// <summary>Writes a half message now, in a transaction of its own, as given (prepared, first checked at its <see cref="StoredMessage.NextAttemptAt"/>).</summary>
    /// <param name="message">The half message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the message is stored.</returns>
    Task PrepareAsync(StoredMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Commits the half message <paramref name="messageId"/> if it is still prepared: it becomes pending,
    /// next attempted at its <see cref="StoredMessage.DueAt"/> or <paramref name="now"/> if later, lease cleared.
    /// </summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was applied, and the status the message has now (<see langword="null"/> when there is no such message).</returns>
    Task<HalfMessageDecision> CommitAsync(Guid messageId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Rolls back the half message <paramref name="messageId"/> if it is still prepared: it becomes <see cref="MessageStatus.RolledBack"/>, lease cleared.</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was applied, and the status the message has now (<see langword="null"/> when there is no such message).</returns>
    Task<HalfMessageDecision> RollbackAsync(Guid messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Makes pending up to <paramref name="batchSize"/> prepared <see cref="MessageKind.Outbox"/> messages
    /// created at or before <paramref name="preparedBefore"/> whose lease has run out (their transaction
    /// committed, but the instance that wrote them did not send them), except those of
    /// <paramref name="checkedTypes"/>, which their check decides.
    /// </summary>
    /// <returns>How many it recovered.</returns>
    Task<int> RecoverStalePreparedAsync(DateTimeOffset now, DateTimeOffset preparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Leases to <paramref name="owner"/> until <paramref name="leaseUntil"/>, and returns, up to
    /// <paramref name="batchSize"/> unleased prepared messages due for a check: half messages whose
    /// <see cref="StoredMessage.NextAttemptAt"/> has come, and <see cref="MessageKind.Outbox"/> messages of
    /// <paramref name="checkedTypes"/> created at or before <paramref name="outboxPreparedBefore"/>. Two
    /// claims never lease the same message.
    /// </summary>
    /// <returns>The leased messages.</returns>
    Task<IReadOnlyList<StoredMessage>> ClaimChecksAsync(
        string owner, DateTimeOffset now, DateTimeOffset leaseUntil, DateTimeOffset outboxPreparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken);

    /// <summary>A check answered commit: counts the check and commits, as <see cref="CommitAsync"/> does.</summary>
    /// <returns>How many messages it changed.</returns>
    Task<int> CommitCheckedAsync(IReadOnlyCollection<long> ids, string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A check answered rollback: counts the check and rolls back, as <see cref="RollbackAsync"/> does.</summary>
    /// <returns>How many messages it changed.</returns>
    Task<int> RollbackCheckedAsync(IReadOnlyCollection<long> ids, string owner, CancellationToken cancellationToken);

    /// <summary>A check did not decide: counts it, keeps <paramref name="lastError"/>, clears the lease, and sets the next check at <paramref name="nextCheckAt"/>.</summary>
    /// <returns>How many messages it changed.</returns>
    Task<int> ScheduleNextCheckAsync(IReadOnlyCollection<long> ids, string owner, DateTimeOffset nextCheckAt, string? lastError, CancellationToken cancellationToken);

    /// <summary>In one transaction, moves to the dead-letter table the requested messages still prepared and leased to <paramref name="owner"/>.</summary>
    /// <returns>How many it moved.</returns>
    Task<int> DeadLetterUndecidedAsync(IReadOnlyCollection<DeadLetterRequest> requests, string owner, DateTimeOffset now, CancellationToken cancellationToken);
}
