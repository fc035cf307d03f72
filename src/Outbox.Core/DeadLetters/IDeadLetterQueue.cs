namespace Outbox;

/// <summary>Reads, requeues and purges the <c>outbox_dead_letters</c> table.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A dead-letter queue is the name the field uses for it (RabbitMQ, Azure Service Bus, MassTransit).")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The two RequeueAsync overloads differ by their first parameter's type; the only optional one is the cancellation token, last as everywhere.")]
public interface IDeadLetterQueue
{
    /// <summary>Lists dead letters, oldest first.</summary>
    /// <param name="filter">Which dead letters; all when <see langword="null"/>.</param>
    /// <param name="skip">How many to skip.</param>
    /// <param name="take">How many to return at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<DeadLetter>> ListAsync(DeadLetterFilter? filter = null, int skip = 0, int take = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a dead letter back to the outbox as a pending message with its attempts reset, so the
    /// dispatcher sends it again.
    /// </summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> if it was found and requeued.</returns>
    Task<bool> RequeueAsync(Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Requeues, as <see cref="RequeueAsync(Guid, CancellationToken)"/> does, every dead letter that
    /// <paramref name="filter"/> selects and that was recorded before the call began. A dead letter whose
    /// message is already back in the outbox, not yet sent, is left for a later requeue.
    /// </summary>
    /// <param name="filter">Which dead letters.</param>
    /// <param name="cancellationToken">Cancels the call; those already requeued stay requeued.</param>
    /// <returns>How many were requeued.</returns>
    Task<int> RequeueAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Deletes the dead letters <paramref name="filter"/> selects.</summary>
    /// <param name="filter">Which dead letters: for example <c>new DeadLetterFilter { Before = cutoff }</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many were deleted.</returns>
    Task<int> PurgeAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default);
}
