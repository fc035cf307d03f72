namespace Outbox.Storage;

/// <summary>Claims for stores that lease what they claim.</summary>
public static class DispatchClaim
{
    /// <summary>
    /// A claim of messages already leased in the store: their outcomes go straight to
    /// <paramref name="outcomes"/>, committing does nothing more, and disposing leaves the leases to run out.
    /// </summary>
    /// <param name="messages">The leased messages.</param>
    /// <param name="outcomes">Where their outcomes are recorded: the store.</param>
    /// <returns>The claim.</returns>
    public static IDispatchClaim Leased(IReadOnlyList<StoredMessage> messages, IDispatchOutcomes outcomes) => new LeasedClaim(messages, outcomes);

    private sealed class LeasedClaim(IReadOnlyList<StoredMessage> messages, IDispatchOutcomes outcomes) : IDispatchClaim
    {
        public IReadOnlyList<StoredMessage> Messages => messages;

        public Task MarkDispatchedAsync(IReadOnlyCollection<long> ids, DateTimeOffset now, CancellationToken cancellationToken) =>
            outcomes.MarkDispatchedAsync(ids, now, cancellationToken);

        public Task MarkFailedAsync(IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken) =>
            outcomes.MarkFailedAsync(failures, cancellationToken);

        public Task ReleaseAsync(IReadOnlyCollection<long> ids, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
            outcomes.ReleaseAsync(ids, nextAttemptAt, cancellationToken);

        public Task DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTimeOffset now, CancellationToken cancellationToken) =>
            outcomes.DeadLetterAsync(requests, now, cancellationToken);

        public Task CommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
