using Outbox.Storage;
using Outbox.Transactions;

namespace Outbox.Publishing;

/// <summary>The outbox of one scope: published messages go to the store's unit of work, half messages to their own transactions.</summary>
internal sealed class ScopedOutbox(IOutboxWriter writer, OutboxMessageFactory factory, TransactionalMessages transactional) : IOutbox
{
    public ValueTask<Guid> PublishAsync<TMessage>(TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(message);
        var stored = factory.Create(message, options);
        writer.Add(stored);
        return ValueTask.FromResult(stored.MessageId);
    }

    public ValueTask<PreparedMessage> PrepareAsync<TMessage>(TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(message);
        return transactional.PrepareAsync(message, options, cancellationToken);
    }

    public Task CommitAsync(Guid messageId, CancellationToken cancellationToken = default) => transactional.CommitAsync(messageId, cancellationToken);

    public Task RollbackAsync(Guid messageId, CancellationToken cancellationToken = default) => transactional.RollbackAsync(messageId, cancellationToken);

    public Task<TransactionSendResult> SendInTransactionAsync<TMessage>(
        TMessage message,
        Func<TMessage, CancellationToken, ValueTask<LocalTransactionState>> localTransaction,
        PublishOptions? options = null,
        CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(message);
        return transactional.SendInTransactionAsync(message, localTransaction, options, cancellationToken);
    }
}
