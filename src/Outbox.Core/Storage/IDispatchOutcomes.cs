namespace Outbox.Storage;

/// <summary>
/// Where the dispatcher records what became of messages it sent: dispatched, failed with a later attempt,
/// given back without an attempt, or moved to the dead-letter table. The store records them for messages
/// leased when they were written (sent at commit); an <see cref="IDispatchClaim"/> records them for the
/// messages it claimed.
/// </summary>
public interface IDispatchOutcomes
{
    /// <summary>Marks messages the transport accepted: <see cref="MessageStatus.Dispatched"/> at <paramref name="now"/>, lease cleared.</summary>
    /// <param name="ids">The messages' ids.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the marks are stored.</returns>
    Task MarkDispatchedAsync(IReadOnlyCollection<long> ids, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records failed sends: each message not dispatched meanwhile becomes pending with the failure's attempt
    /// count, next attempt time and error, lease cleared.
    /// </summary>
    /// <param name="failures">The failed sends.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the failures are stored.</returns>
    Task MarkFailedAsync(IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken);

    /// <summary>
    /// Gives claimed or leased messages back without counting an attempt: each one still pending or prepared becomes
    /// pending, due at <paramref name="nextAttemptAt"/>, lease cleared.
    /// </summary>
    /// <param name="ids">The messages' ids.</param>
    /// <param name="nextAttemptAt">When they may be claimed again.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the messages are released.</returns>
    Task ReleaseAsync(IReadOnlyCollection<long> ids, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>In one transaction, removes messages from the outbox and writes them to the dead-letter table with their reasons.</summary>
    /// <param name="requests">The messages and why they are set aside.</param>
    /// <param name="now">The current time: when they were dead-lettered.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the move has committed.</returns>
    Task DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTimeOffset now, CancellationToken cancellationToken);
}
