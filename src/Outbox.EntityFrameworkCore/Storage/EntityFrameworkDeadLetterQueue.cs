using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Outbox.Dispatching;
using Outbox.EntityFrameworkCore.Telemetry;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.EntityFrameworkCore.Storage;

internal sealed class EntityFrameworkDeadLetterQueue<TContext>(
    ContextRunner<TContext> runner,
    DispatchSignal signal,
    TimeProvider timeProvider,
    ILogger<EntityFrameworkDeadLetterQueue<TContext>> logger) : IDeadLetterQueue
    where TContext : DbContext
{
    public Task<IReadOnlyList<DeadLetter>> ListAsync(int skip = 0, int take = 100, CancellationToken cancellationToken = default) =>
        runner.RunAsync<IReadOnlyList<DeadLetter>>(async context =>
        {
            var rows = await context.Set<DeadLetterRecord>().AsNoTracking()
                .OrderBy(d => d.Id).Skip(skip).Take(take)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.ConvertAll(d => new DeadLetter(
                d.MessageId,
                d.Destination,
                d.MessageType,
                d.MessageKey,
                d.Payload,
                HeadersJson.Read(d.Headers),
                d.Reason,
                d.Attempts,
                d.LastError,
                new DateTimeOffset(d.CreatedAt),
                new DateTimeOffset(d.DeadLetteredAt)));
        });

    public async Task<bool> RequeueAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var requeued = await runner.RunInTransactionAsync(
            async context =>
            {
                var dead = await context.Set<DeadLetterRecord>()
                    .Where(d => d.MessageId == messageId)
                    .OrderBy(d => d.Id)
                    .FirstOrDefaultAsync(cancellationToken)
                    .ConfigureAwait(false);
                if (dead is null)
                {
                    return false;
                }

                context.Set<DeadLetterRecord>().Remove(dead);

                // A half message goes back to its checks, with a fresh count; any other message to the
                // dispatcher. A consumer's dead letter is sent again to its source, with the same id (the
                // consumers that handled it already skip it in their inbox) and a header naming the consumer.
                var halfMessage = dead.Source == DeadLetterSources.TransactionCheck;
                var headers = dead.Headers;
                if (dead.Source == DeadLetterSources.Consumer && dead.ConsumerName is { } consumer)
                {
                    headers = HeadersJson.Write(new Dictionary<string, string>(HeadersJson.Read(dead.Headers)) { [TransportMessage.ConsumerHeader] = consumer });

                    // In a database shared by producer and consumer, the sent row may still be kept for retention.
                    await context.Set<OutboxRecord>()
                        .Where(r => r.MessageId == dead.MessageId && r.Status == MessageStatus.Dispatched)
                        .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                }

                context.Set<OutboxRecord>().Add(new OutboxRecord
                {
                    MessageId = dead.MessageId,
                    Destination = dead.Destination,
                    MessageType = dead.MessageType,
                    MessageKey = dead.MessageKey,
                    Payload = dead.Payload,
                    Headers = headers,
                    Status = halfMessage ? MessageStatus.Prepared : MessageStatus.Pending,
                    Kind = halfMessage ? MessageKind.Transactional : MessageKind.Outbox,
                    CreatedAt = dead.CreatedAt,
                    DueAt = now,
                    NextAttemptAt = now,
                });
                return true;
            },
            cancellationToken).ConfigureAwait(false);

        if (requeued)
        {
            Log.Requeued(logger, messageId);
            signal.Wake();
        }

        return requeued;
    }

    public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        var cutoff = before.UtcDateTime;
        return runner.RunAsync(context => context.Set<DeadLetterRecord>()
            .Where(d => d.DeadLetteredAt < cutoff)
            .ExecuteDeleteAsync(cancellationToken));
    }
}
