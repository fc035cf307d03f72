using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Inbox;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>Deletes finished outbox rows and old inbox rows.</summary>
internal sealed class EntityFrameworkRetentionStore<TContext>(ContextRunner<TContext> runner) : IRetentionStore
    where TContext : DbContext
{
    public Task<int> DeleteFinishedAsync(DateTime before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<OutboxRecord>()
            .Where(r => (r.Status == MessageStatus.Dispatched && r.DispatchedAt < before)
                || (r.Status == MessageStatus.RolledBack && r.CreatedAt < before))
            .OrderBy(r => r.Id)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken));

    public Task<int> DeleteInboxAsync(DateTime before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<InboxRecord>()
            .Where(i => i.ReceivedAt < before)
            .OrderBy(i => i.ReceivedAt)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken));
}
