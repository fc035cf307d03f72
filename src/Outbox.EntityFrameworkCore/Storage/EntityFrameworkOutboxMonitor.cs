using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Inbox;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

internal sealed class EntityFrameworkOutboxMonitor<TContext>(ContextRunner<TContext> runner, TimeProvider timeProvider) : IOutboxMonitor
    where TContext : DbContext
{
    private const int Intervals = 12;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    public Task<OutboxStatus> GetStatusAsync(CancellationToken cancellationToken = default) => runner.RunAsync(async context =>
    {
        var now = timeProvider.GetUtcNow();
        var hourAgo = (now - (Intervals * Interval)).UtcDateTime;
        var messages = context.Set<OutboxRecord>().AsNoTracking();
        var sent = messages.Where(r => r.Status == MessageStatus.Dispatched && r.DispatchedAt >= hourAgo);
        var unsent = await StoredRows.Unsent(context).AsNoTracking().GroupBy(r => r.Destination)
            .Select(g => new { Destination = g.Key, Count = g.Count(), OldestDueAt = g.Min(r => r.DueAt) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var sentTo = await sent.GroupBy(r => r.Destination)
            .Select(g => new { Destination = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Destination, g => g.Count, cancellationToken).ConfigureAwait(false);
        var perInterval = new int[Intervals];
        for (var i = 0; i < Intervals; i++)
        {
            var from = hourAgo + (i * Interval);
            var to = from + Interval;
            perInterval[i] = await sent.CountAsync(r => r.DispatchedAt >= from && r.DispatchedAt < to, cancellationToken).ConfigureAwait(false);
        }

        var destinations = unsent.Select(d => d.Destination).Union(sentTo.Keys).Order(StringComparer.Ordinal)
            .Select(name => unsent.Find(d => d.Destination == name) is { } waiting
                ? new DestinationStatus(name, waiting.Count, StoredRows.Utc(waiting.OldestDueAt), sentTo.GetValueOrDefault(name))
                : new DestinationStatus(name, 0, null, sentTo.GetValueOrDefault(name)))
            .ToList();
        return new OutboxStatus(
            now,
            await messages.CountAsync(r => r.Status == MessageStatus.Pending, cancellationToken).ConfigureAwait(false),
            await messages.CountAsync(r => r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Outbox, cancellationToken).ConfigureAwait(false),
            await messages.CountAsync(r => r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Transactional, cancellationToken).ConfigureAwait(false),
            sentTo.Values.Sum(),
            await context.Set<DeadLetterRecord>().CountAsync(cancellationToken).ConfigureAwait(false),
            unsent.Count == 0 ? null : StoredRows.Utc(unsent.Min(d => d.OldestDueAt)),
            destinations,
            perInterval);
    });

    public Task<IReadOnlyList<StoredMessage>> ListMessagesAsync(MessageFilter? filter = null, int skip = 0, int take = 100, CancellationToken cancellationToken = default) =>
        runner.RunAsync<IReadOnlyList<StoredMessage>>(async context =>
            (await context.Set<OutboxRecord>().AsNoTracking().Where(filter)
                .OrderByDescending(r => r.Id).Skip(skip).Take(take)
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ConvertAll(r => r.ToMessage()));

    public Task<StoredMessage?> FindMessageAsync(Guid messageId, CancellationToken cancellationToken = default) =>
        runner.RunAsync(async context =>
            (await context.Set<OutboxRecord>().AsNoTracking()
                .FirstOrDefaultAsync(r => r.MessageId == messageId, cancellationToken).ConfigureAwait(false))?.ToMessage());

    public Task<IReadOnlyList<SequenceGap>> ListSequenceGapsAsync(string? consumer = null, CancellationToken cancellationToken = default) =>
        runner.RunAsync<IReadOnlyList<SequenceGap>>(async context =>
            (await context.Set<SequenceGapRecord>().AsNoTracking()
                .Where(g => consumer == null || g.Consumer == consumer)
                .OrderBy(g => g.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ConvertAll(g => new SequenceGap(g.Consumer, g.Source, g.MessageKey, g.FirstMissing, g.LastMissing, StoredRows.Utc(g.DetectedAt))));
}
