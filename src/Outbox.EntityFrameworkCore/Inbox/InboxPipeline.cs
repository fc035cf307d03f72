using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outbox.Consumers;
using Outbox.Serialization;
using Outbox.Telemetry;
using Outbox.Transport;

namespace Outbox.EntityFrameworkCore.Inbox;

/// <summary>
/// Handles a delivery once per consumer: in one transaction of the handler's <typeparamref name="TContext"/>,
/// the inbox row is inserted first unless it is there already (a concurrent duplicate waits on its key,
/// then inserts nothing), the handler runs, and its changes and published messages are saved and committed.
/// </summary>
internal sealed class InboxPipeline<TContext>(
    IServiceScopeFactory scopes,
    IMessageSerializer serializer,
    IOptions<OutboxOptions> options,
    TimeProvider timeProvider) : IInboxPipeline
    where TContext : DbContext
{
    private string? _insertSql;

    public async Task<InboxOutcome> HandleAsync(ConsumerRegistration consumer, IDelivery delivery, CancellationToken cancellationToken)
    {
        var incoming = delivery.Message;
        if (!options.Value.MessageTypes.TryGetType(incoming.MessageType, out var type))
        {
            return InboxOutcome.Rejected("unknown-message-type", $"'{incoming.MessageType}' is not a registered message type.");
        }

        if (type != consumer.MessageType)
        {
            return InboxOutcome.Rejected("unexpected-message-type", $"consumer '{consumer.Name}' handles {consumer.MessageType.Name}, not {type.Name}.");
        }

        object message;
        try
        {
            message = serializer.Deserialize(incoming.Body.Span, type);
        }
        catch (Exception ex)
        {
            return InboxOutcome.Rejected("malformed-message", $"the body cannot be read as {type.Name}: {ex.Message}");
        }

        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            return await db.Database.CreateExecutionStrategy().ExecuteAsync(
                async ct => await HandleOnceAsync(scope.ServiceProvider, db, consumer, delivery, message, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<InboxOutcome> HandleOnceAsync(
        IServiceProvider services, TContext db, ConsumerRegistration consumer, IDelivery delivery, object message, CancellationToken cancellationToken)
    {
        var incoming = delivery.Message;
        db.ChangeTracker.Clear();

        // Any failure rolls the whole transaction back, so per-SaveChanges savepoints would only add
        // two round trips each.
        db.Database.AutoSavepointsEnabled = false;
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            _insertSql ??= InboxSql.InsertIfAbsent(db);
            var inserted = await db.Database.ExecuteSqlRawAsync(
                _insertSql, [incoming.MessageId, consumer.Name, timeProvider.GetUtcNow().UtcDateTime], cancellationToken).ConfigureAwait(false);
            if (inserted == 0)
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                return InboxOutcome.Duplicate;
            }

            var context = new MessageContext(
                incoming.MessageId,
                incoming.MessageType,
                incoming.Key,
                incoming.Headers,
                delivery.Attempt,
                consumer.Source,
                consumer.Name,
                TraceHeaders.Read(incoming.Headers));
            try
            {
                await consumer.InvokeAsync(services, message, context, cancellationToken).ConfigureAwait(false);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return InboxOutcome.Handled;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                return InboxOutcome.Failed(ex);
            }
        }
    }
}
