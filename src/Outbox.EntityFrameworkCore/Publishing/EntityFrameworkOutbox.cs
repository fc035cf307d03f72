using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Outbox.EntityFrameworkCore.Interception;
using Outbox.Publishing;
using Outbox.Storage;
using Outbox.Transactions;

namespace Outbox.EntityFrameworkCore.Publishing;

/// <summary>Adds outbox rows to the scope's <typeparamref name="TContext"/>; its next SaveChanges writes them.</summary>
internal sealed class EntityFrameworkOutbox<TContext>(
    TContext context,
    OutboxMessageFactory factory,
    OutboxInterceptor interceptor,
    TransactionalMessages transactional) : IOutbox
    where TContext : DbContext
{
    public ValueTask<Guid> PublishAsync<TMessage>(TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureConfigured();
        var row = factory.Create(message, options);
        context.Set<OutboxRecord>().Add(row);
        interceptor.Track(context, row);
        return ValueTask.FromResult(row.MessageId);
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

    private void EnsureConfigured()
    {
        if (context.Model.FindEntityType(typeof(OutboxRecord)) is null)
        {
            throw new OutboxException(
                $"{typeof(TContext).Name} has no outbox tables: call modelBuilder.AddOutboxTables() in {typeof(TContext).Name}.OnModelCreating.");
        }

        var interceptors = context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors;
        if (interceptors is null || !interceptors.Contains(interceptor))
        {
            throw new OutboxException(
                $"{typeof(TContext).Name} is not connected to the outbox: register it with AddDbContext<{typeof(TContext).Name}>((sp, options) => options.Use…(…).UseOutbox(sp)).");
        }
    }
}
