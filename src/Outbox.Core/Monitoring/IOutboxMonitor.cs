using Outbox.Storage;

namespace Outbox;

/// <summary>Reads the outbox table for people and tools: counts, and the messages themselves. It changes nothing.</summary>
public interface IOutboxMonitor
{
    /// <summary>Counts messages by state, unsent messages by destination, and what was sent in the last hour.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<OutboxStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists outbox messages, newest first.</summary>
    /// <param name="filter">Which messages; all when <see langword="null"/>.</param>
    /// <param name="skip">How many to skip.</param>
    /// <param name="take">How many to return at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<StoredMessage>> ListMessagesAsync(MessageFilter? filter = null, int skip = 0, int take = 100, CancellationToken cancellationToken = default);

    /// <summary>Finds one outbox message by its id.</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message, or <see langword="null"/> when the table has no such row (never written, or deleted by retention).</returns>
    Task<StoredMessage?> FindMessageAsync(Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>Lists the sequence numbers consumers with <c>CheckSequence</c> found missing and have not received since, oldest first.</summary>
    /// <param name="consumer">Only this consumer's; all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<SequenceGap>> ListSequenceGapsAsync(string? consumer = null, CancellationToken cancellationToken = default);
}
