using Microsoft.EntityFrameworkCore;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.EntityFrameworkCore.Storage;

internal sealed class EntityFrameworkDeadLetterQueue<TContext>(ContextRunner<TContext> runner, TimeProvider timeProvider) : IDeadLetterQueue
    where TContext : DbContext
{
    private const int RequeueBatch = 100;

    public Task<IReadOnlyList<DeadLetter>> ListAsync(DeadLetterFilter? filter = null, int skip = 0, int take = 100, CancellationToken cancellationToken = default) =>
        runner.RunAsync<IReadOnlyList<DeadLetter>>(async context =>
        {
            var rows = await context.Set<DeadLetterRecord>().AsNoTracking().Where(filter)
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
                new DateTimeOffset(d.CreatedAt, TimeSpan.Zero),
                new DateTimeOffset(d.DeadLetteredAt, TimeSpan.Zero),
                d.Source,
                d.ConsumerName));
        });

    public async Task<bool> RequeueAsync(Guid messageId, CancellationToken cancellationToken = default) =>
        await RequeueAsync(new DeadLetterFilter { MessageIds = [messageId] }, cancellationToken).ConfigureAwait(false) > 0;

    public async Task<int> RequeueAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default)
    {
        // Batches in id order up to the last row recorded before the call, so a message dead-lettered
        // again while this runs is not requeued a second time by the same call.
        var last = await runner.RunAsync(context => context.Set<DeadLetterRecord>().Where(filter)
            .MaxAsync(d => (long?)d.Id, cancellationToken)).ConfigureAwait(false);
        var after = 0L;
        var requeued = 0;
        while (last is { } end && after < end)
        {
            var (count, next) = await runner.RunInTransactionAsync(context => RequeueBatchAsync(context, filter, after, end, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            requeued += count;
            after = next;
        }

        return requeued;
    }

    public Task<int> PurgeAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default) =>
        runner.RunAsync(context => context.Set<DeadLetterRecord>().Where(filter).ExecuteDeleteAsync(cancellationToken));

    /// <summary>Requeues the next batch of dead letters after id <paramref name="after"/>; returns how many, and the last id looked at.</summary>
    private async Task<(int Requeued, long Last)> RequeueBatchAsync(TContext context, DeadLetterFilter filter, long after, long end, CancellationToken cancellationToken)
    {
        var batch = await context.Set<DeadLetterRecord>().Where(filter)
            .Where(d => d.Id > after && d.Id <= end)
            .OrderBy(d => d.Id).Take(RequeueBatch)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (batch.Count == 0)
        {
            return (0, end);
        }

        // A message already back in the outbox and not yet sent (requeued for another consumer, say)
        // keeps its other dead letters until it is sent: the outbox holds one row per message id.
        var ids = batch.ConvertAll(d => d.MessageId);
        var waiting = (await context.Set<OutboxRecord>()
            .Where(r => ids.Contains(r.MessageId) && r.Status != MessageStatus.Dispatched)
            .Select(r => r.MessageId)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var requeued = 0;
        foreach (var dead in batch.Where(d => waiting.Add(d.MessageId)))
        {
            await RequeueOneAsync(context, dead, now, cancellationToken).ConfigureAwait(false);
            requeued++;
        }

        return (requeued, batch[^1].Id);
    }

    private static async Task RequeueOneAsync(TContext context, DeadLetterRecord dead, DateTime now, CancellationToken cancellationToken)
    {
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
    }
}
