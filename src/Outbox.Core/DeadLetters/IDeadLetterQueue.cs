namespace Outbox;

/// <summary>Reads, requeues and purges the <c>outbox_dead_letters</c> table.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A dead-letter queue is the name the field uses for it (RabbitMQ, Azure Service Bus, MassTransit).")]
public interface IDeadLetterQueue
{
    /// <summary>Lists dead letters, oldest first.</summary>
    /// <param name="skip">How many to skip.</param>
    /// <param name="take">How many to return at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<DeadLetter>> ListAsync(int skip = 0, int take = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a dead letter back to the outbox as a pending message with its attempts reset, so the
    /// dispatcher sends it again.
    /// </summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> if it was found and requeued.</returns>
    Task<bool> RequeueAsync(Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>Deletes dead letters recorded before <paramref name="before"/>.</summary>
    /// <param name="before">The cut-off instant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many were deleted.</returns>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}
