using Outbox.Transactions;

namespace Outbox;

/// <summary>
/// Writes messages into the outbox of the current unit of work. The message is stored in the same
/// database transaction as the business changes and is sent to the transport only after that
/// transaction commits.
/// </summary>
/// <remarks>
/// <see cref="IOutbox"/> is scoped: it is bound to the <c>DbContext</c> of the same scope, and the
/// message is written by that context's next <c>SaveChanges</c>.
/// </remarks>
public interface IOutbox
{
    /// <summary>Adds a message to the outbox of the current unit of work.</summary>
    /// <typeparam name="TMessage">A message type registered with <see cref="OutboxOptions.Route{TMessage}(string, string?, string?, bool)"/> or <see cref="OutboxOptions.AddMessageType{TMessage}(string)"/>.</typeparam>
    /// <param name="message">The message to publish.</param>
    /// <param name="options">Destination, ordering key, delay, message id and headers; all optional.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message id.</returns>
    /// <exception cref="OutboxException">The message type is not registered, no destination is known, or the payload is too large.</exception>
    ValueTask<Guid> PublishAsync<TMessage>(TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TMessage : notnull;

    /// <summary>
    /// Stores a half message: durable, but not sent until it is committed. Use it for work decided
    /// outside this database (a payment gateway, another service), then call
    /// <see cref="CommitAsync"/> or <see cref="RollbackAsync"/>. If neither arrives, the check callback
    /// registered for the type decides after <c>CheckAfter</c>. The row is written at once, in a
    /// transaction of its own, not in the scope's unit of work.
    /// </summary>
    /// <exception cref="OutboxException">No check callback is registered for the type, or the message cannot be published.</exception>
    ValueTask<PreparedMessage> PrepareAsync<TMessage>(TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TMessage : notnull;

    /// <summary>Commits a half message: the dispatcher sends it. Committing twice does nothing more.</summary>
    /// <exception cref="TransactionConflictException">It was already rolled back.</exception>
    /// <exception cref="OutboxException">No half message has this id (it may have been dead-lettered after <c>MaxChecks</c>).</exception>
    Task CommitAsync(Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>Rolls back a half message: it is never sent. Rolling back twice does nothing more.</summary>
    /// <exception cref="TransactionConflictException">It was already committed.</exception>
    /// <exception cref="OutboxException">No half message has this id (it may have been dead-lettered after <c>MaxChecks</c>).</exception>
    Task RollbackAsync(Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a half message, runs <paramref name="localTransaction"/>, and applies what it returns
    /// (RocketMQ's <c>executeLocalTransaction</c>). Unknown, or an exception, leaves the message to the
    /// check callback.
    /// </summary>
    /// <exception cref="OutboxException">No check callback is registered for the type, or the message cannot be published.</exception>
    Task<TransactionSendResult> SendInTransactionAsync<TMessage>(
        TMessage message,
        Func<TMessage, CancellationToken, ValueTask<LocalTransactionState>> localTransaction,
        PublishOptions? options = null,
        CancellationToken cancellationToken = default)
        where TMessage : notnull;
}
