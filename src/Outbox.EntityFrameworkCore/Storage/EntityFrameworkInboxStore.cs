using System.Runtime.ExceptionServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Outbox.EntityFrameworkCore.Inbox;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>
/// The inbox and consumer dead letters. A message is handled in one transaction of the handler's
/// <typeparamref name="TContext"/>: the inbox row is inserted first unless it is there already (a concurrent
/// duplicate waits on its key, then inserts nothing), the handler runs, and its changes and published
/// messages are saved and committed.
/// </summary>
internal sealed class EntityFrameworkInboxStore<TContext>(ContextRunner<TContext> runner, IServiceScopeFactory scopes, TimeProvider timeProvider) : IInboxStore
    where TContext : DbContext
{
    private string? _insertSql;

    public async Task<bool> HandleOnceAsync(Guid messageId, string consumer, Func<IServiceProvider, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();

            // The execution strategy retries the transaction when the database fails before the handler
            // runs; what fails from the handler on is the delivery's failure, thrown once the strategy is done.
            var (handled, failure) = await db.Database.CreateExecutionStrategy().ExecuteAsync(
                async ct => await HandleInTransactionAsync(scope.ServiceProvider, db, messageId, consumer, handle, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            failure?.Throw();
            return handled;
        }
    }

    public async Task DeadLetterDeliveryAsync(
        TransportMessage message,
        string consumer,
        string reason,
        int attempts,
        string? lastError,
        DateTimeOffset now,
        Func<IServiceProvider, CancellationToken, Task>? inTransaction,
        CancellationToken cancellationToken)
    {
        DeadLetterRecord Dead() => new()
        {
            MessageId = message.MessageId,
            Destination = message.Destination,
            MessageType = message.MessageType,
            MessageKey = message.Key,
            Payload = StoredRows.Bytes(message.Body),
            Headers = HeadersJson.Write(message.Headers),
            Source = DeadLetterSources.Consumer,
            ConsumerName = consumer,
            Reason = reason,
            Attempts = attempts,
            LastError = StoredRows.Truncate(lastError),
            CreatedAt = message.CreatedAt.UtcDateTime,
            DeadLetteredAt = now.UtcDateTime,
        };
        if (inTransaction is null)
        {
            await runner.RunAsync(context =>
            {
                context.Add(Dead());
                return context.SaveChangesAsync(cancellationToken);
            }).ConfigureAwait(false);
            return;
        }

        // What is recorded with it goes through the scope's own context, as a handler's changes do.
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await db.Database.CreateExecutionStrategy().ExecuteAsync(
                async ct =>
                {
                    db.ChangeTracker.Clear();
                    var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        db.Add(Dead());
                        await inTransaction(scope.ServiceProvider, ct).ConfigureAwait(false);
                        await db.SaveChangesAsync(ct).ConfigureAwait(false);
                        await transaction.CommitAsync(ct).ConfigureAwait(false);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(bool Handled, ExceptionDispatchInfo? Failure)> HandleInTransactionAsync(
        IServiceProvider services, TContext db, Guid messageId, string consumer, Func<IServiceProvider, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();

        // Any failure rolls the whole transaction back, so per-SaveChanges savepoints would only add
        // two round trips each.
        db.Database.AutoSavepointsEnabled = false;
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            _insertSql ??= InboxSql.InsertIfAbsent(db, runner.Dialect);
            var inserted = await db.Database.ExecuteSqlRawAsync(
                _insertSql, [messageId, consumer, timeProvider.GetUtcNow().UtcDateTime], cancellationToken).ConfigureAwait(false);
            if (inserted == 0)
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                return (false, null);
            }

            try
            {
                await handle(services, cancellationToken).ConfigureAwait(false);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return (true, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                return (false, ExceptionDispatchInfo.Capture(ex));
            }
        }
    }
}
