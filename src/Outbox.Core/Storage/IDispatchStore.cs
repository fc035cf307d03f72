namespace Outbox.Storage;

/// <summary>
/// What the dispatcher needs from the outbox: claiming due messages and recording what became of them.
/// A message is <em>unsent</em> while it is <see cref="MessageStatus.Pending"/>, or
/// <see cref="MessageStatus.Prepared"/> with <see cref="MessageKind.Outbox"/> (written in a transaction
/// that may still commit). Several instances share one store: each method is safe to call from all of
/// them at once. Times are UTC.
/// </summary>
public interface IDispatchStore
{
    /// <summary>Called at start; fails with a message a person can act on when the store cannot work (tables missing, database not supported).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the store is ready.</returns>
    Task ValidateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Leases to <paramref name="owner"/> until <paramref name="leaseUntil"/>, and returns as leased, up to
    /// <paramref name="batchSize"/> pending messages that are due (<see cref="StoredMessage.NextAttemptAt"/>
    /// not after <paramref name="now"/>) and not leased (no lease, or one that has run out), longest due first.
    /// </summary>
    /// <remarks>
    /// Per-key order rests on this: of each key, a claim leases only a run of the key's unsent messages
    /// that starts at its oldest one, in <see cref="StoredMessage.Id"/> order. A key whose oldest unsent
    /// message cannot be claimed (leased elsewhere, prepared, or not yet due) gets nothing. Two claims,
    /// here or on another instance, never lease the same message.
    /// </remarks>
    /// <param name="owner">The claiming instance.</param>
    /// <param name="now">The current time.</param>
    /// <param name="leaseUntil">When the lease runs out.</param>
    /// <param name="batchSize">The most messages to lease.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The leased messages, in any order.</returns>
    Task<IReadOnlyList<StoredMessage>> ClaimAsync(string owner, DateTime now, DateTime leaseUntil, int batchSize, CancellationToken cancellationToken);

    /// <summary>For each of <paramref name="keys"/> that has unsent messages, the smallest <see cref="StoredMessage.Id"/> among them.</summary>
    /// <param name="keys">The keys to look up.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The oldest unsent id of each key that has one.</returns>
    Task<IReadOnlyDictionary<string, long>> GetOldestUnsentIdsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>Marks messages the transport accepted: <see cref="MessageStatus.Dispatched"/> at <paramref name="now"/>, lease cleared.</summary>
    /// <param name="ids">The messages' ids.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the marks are stored.</returns>
    Task MarkDispatchedAsync(IReadOnlyCollection<long> ids, DateTime now, CancellationToken cancellationToken);

    /// <summary>
    /// Records failed sends: each message not dispatched meanwhile becomes pending with the failure's attempt
    /// count, next attempt time and error, lease cleared.
    /// </summary>
    /// <param name="failures">The failed sends.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the failures are stored.</returns>
    Task MarkFailedAsync(IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken);

    /// <summary>
    /// Gives leased messages back without counting an attempt: each one still pending or prepared becomes
    /// pending, due at <paramref name="nextAttemptAt"/>, lease cleared.
    /// </summary>
    /// <param name="ids">The messages' ids.</param>
    /// <param name="nextAttemptAt">When they may be claimed again.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the messages are released.</returns>
    Task ReleaseAsync(IReadOnlyCollection<long> ids, DateTime nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>In one transaction, removes messages from the outbox and writes them to the dead-letter table with their reasons.</summary>
    /// <param name="requests">The messages and why they are set aside.</param>
    /// <param name="now">The current time: when they were dead-lettered.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the move has committed.</returns>
    Task DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTime now, CancellationToken cancellationToken);

    /// <summary>The earliest <see cref="StoredMessage.NextAttemptAt"/> of a pending message later than <paramref name="now"/>, if any.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>When the poller should next look, or <see langword="null"/>.</returns>
    Task<DateTime?> GetNextDueAsync(DateTime now, CancellationToken cancellationToken);

    /// <summary>The <see cref="StoredMessage.CreatedAt"/> of the oldest unsent message, if any (for the <c>outbox.pending.age</c> gauge).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The oldest unsent message's publish time, or <see langword="null"/>.</returns>
    Task<DateTime?> GetOldestUnsentAsync(CancellationToken cancellationToken);
}
