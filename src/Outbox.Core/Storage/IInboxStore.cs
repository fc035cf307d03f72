using Outbox.Transport;

namespace Outbox.Storage;

/// <summary>What consumers need from the database: handling a message once per consumer, and setting a delivery aside.</summary>
public interface IInboxStore
{
    /// <summary>
    /// In one transaction: records that <paramref name="consumer"/> handles <paramref name="messageId"/>, runs
    /// <paramref name="handle"/> with the services of a scope whose unit of work is that transaction (the
    /// handler's changes and what it publishes), and commits it all together. When the record is there
    /// already (a redelivery, or a concurrent duplicate that committed first), returns <see langword="false"/>
    /// without running <paramref name="handle"/>.
    /// </summary>
    /// <param name="messageId">The message's id.</param>
    /// <param name="consumer">The consumer's name.</param>
    /// <param name="handle">Runs the handler; the store calls it at most once per call, inside the transaction.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the handler ran and its transaction committed.</returns>
    /// <remarks>
    /// When <paramref name="handle"/>, saving its changes or the commit throws, the store rolls back and
    /// throws that exception; the outbox counts it as a failed delivery. What throws before
    /// <paramref name="handle"/> is called (the database is down) is not the handler's failure.
    /// </remarks>
    Task<bool> HandleOnceAsync(Guid messageId, string consumer, Func<IServiceProvider, CancellationToken, Task> handle, CancellationToken cancellationToken);

    /// <summary>
    /// Sets aside a delivery a consumer could not handle, with the consumer's name and the reason; with
    /// <paramref name="inTransaction"/>, in one transaction with what it records.
    /// </summary>
    /// <param name="message">The message delivered.</param>
    /// <param name="consumer">The consumer's name.</param>
    /// <param name="reason">A short code, such as <c>max-deliveries</c>.</param>
    /// <param name="attempts">How many deliveries were tried.</param>
    /// <param name="lastError">The last error.</param>
    /// <param name="now">The time to record.</param>
    /// <param name="inTransaction">
    /// When not <see langword="null"/>, run once per attempt of the transaction with the services of a scope
    /// whose unit of work is that transaction (the sequence check counts the message's number there).
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeadLetterDeliveryAsync(
        TransportMessage message,
        string consumer,
        string reason,
        int attempts,
        string? lastError,
        DateTimeOffset now,
        Func<IServiceProvider, CancellationToken, Task>? inTransaction,
        CancellationToken cancellationToken);
}
