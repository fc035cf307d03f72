namespace Outbox.Storage;

/// <summary>
/// What the dispatcher needs from the outbox: claiming due messages and recording what became of them.
/// A message is <em>unsent</em> while it is <see cref="MessageStatus.Pending"/>, or
/// <see cref="MessageStatus.Prepared"/> with <see cref="MessageKind.Outbox"/> (written in a transaction
/// that may still commit). Several instances share one store: each method is safe to call from all of
/// them at once. Times carry their offset (Core passes UTC).
/// </summary>
public interface IDispatchStore : IDispatchOutcomes
{
    /// <summary>Called at start; fails with a message a person can act on when the store cannot work (tables missing, database not supported).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the store is ready.</returns>
    Task ValidateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims for <paramref name="owner"/>, until <paramref name="leaseUntil"/> at the latest, up to
    /// <paramref name="batchSize"/> pending messages that are due (<see cref="StoredMessage.NextAttemptAt"/>
    /// not after <paramref name="now"/>) and not leased (no lease, or one that has run out) nor claimed,
    /// longest due first. A store may hold the claimed messages in an open transaction (no write until
    /// their outcome) or lease them (<see cref="StoredMessage.LeaseOwner"/>, <see cref="StoredMessage.LeaseExpiresAt"/>,
    /// and <see cref="DispatchClaim.Leased"/>).
    /// </summary>
    /// <remarks>
    /// Per-key order rests on this: of each key, a claim takes only a run of the key's unsent messages
    /// that starts at its oldest one, in <see cref="StoredMessage.Id"/> order. A key whose oldest unsent
    /// message cannot be claimed (leased elsewhere, prepared, or not yet due) gets nothing. Two claims,
    /// here or on another instance, never take the same message.
    /// </remarks>
    /// <param name="owner">The claiming instance.</param>
    /// <param name="now">The current time.</param>
    /// <param name="leaseUntil">When the claim runs out: after it, another instance may claim the messages (the owner crashed or hangs).</param>
    /// <param name="batchSize">The most messages to claim.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claim: its messages in any order, and where their outcomes are recorded.</returns>
    Task<IDispatchClaim> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int batchSize, CancellationToken cancellationToken);

    /// <summary>For each of <paramref name="keys"/> that has unsent messages, the smallest <see cref="StoredMessage.Id"/> among them.</summary>
    /// <param name="keys">The keys to look up.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The oldest unsent id of each key that has one.</returns>
    Task<IReadOnlyDictionary<string, long>> GetOldestUnsentIdsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>The earliest <see cref="StoredMessage.NextAttemptAt"/> of a pending message later than <paramref name="now"/>, if any.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>When the poller should next look, or <see langword="null"/>.</returns>
    Task<DateTimeOffset?> GetNextDueAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The earliest <see cref="StoredMessage.DueAt"/> of an unsent message (pending, or written and not yet
    /// sent), if any: how long the most overdue message has waited, for the <c>outbox.pending.age</c> gauge
    /// and the health check.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The earliest due time, or <see langword="null"/> when every message was sent.</returns>
    Task<DateTimeOffset?> GetEarliestDueUnsentAsync(CancellationToken cancellationToken);
}
