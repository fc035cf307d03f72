using Microsoft.EntityFrameworkCore;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>Half messages and their checks on the outbox table.</summary>
internal sealed class EntityFrameworkTransactionalStore<TContext>(ContextRunner<TContext> runner) : ITransactionalStore
    where TContext : DbContext
{
    public Task PrepareAsync(StoredMessage message, CancellationToken cancellationToken) =>
        runner.RunAsync(async context =>
        {
            context.Set<OutboxRecord>().Add(OutboxRecord.From(message));
            return await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        });

    public Task<HalfMessageDecision> CommitAsync(Guid messageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        DecideAsync(
            messageId,
            half => half.ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                    .SetProperty(r => r.NextAttemptAt, r => r.DueAt > now.UtcDateTime ? r.DueAt : now.UtcDateTime)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                cancellationToken),
            MessageStatus.Pending,
            cancellationToken);

    public Task<HalfMessageDecision> RollbackAsync(Guid messageId, CancellationToken cancellationToken) =>
        DecideAsync(
            messageId,
            half => half.ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, MessageStatus.RolledBack)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                cancellationToken),
            MessageStatus.RolledBack,
            cancellationToken);

    // The batch is read, then updated with the same conditions, so a row decided meanwhile is left alone (an
    // update with ORDER BY and LIMIT in one statement is not something every database runs).
    public Task<int> RecoverStalePreparedAsync(DateTimeOffset now, DateTimeOffset preparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(async context =>
        {
            var stale = context.Set<OutboxRecord>()
                .Where(r => r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Outbox && r.CreatedAt <= preparedBefore.UtcDateTime
                    && (r.LeaseExpiresAt == null || r.LeaseExpiresAt <= now.UtcDateTime) && !checkedTypes.Contains(r.MessageType));
            var ids = await stale.OrderBy(r => r.Id).Take(batchSize).Select(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            return ids.Count == 0 ? 0 : await stale.Where(r => ids.Contains(r.Id)).ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                cancellationToken).ConfigureAwait(false);
        });

    // Optimistic lease: candidates are read, then leased by a conditional update that only one
    // instance can win per row; what this claim leased is read back by its lease expiry.
    public Task<IReadOnlyList<StoredMessage>> ClaimChecksAsync(
        string owner, DateTimeOffset now, DateTimeOffset leaseUntil, DateTimeOffset outboxPreparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync<IReadOnlyList<StoredMessage>>(async context =>
        {
            var due = context.Set<OutboxRecord>().Where(r =>
                r.Status == MessageStatus.Prepared && r.NextAttemptAt <= now.UtcDateTime
                && (r.LeaseExpiresAt == null || r.LeaseExpiresAt <= now.UtcDateTime)
                && (r.Kind == MessageKind.Transactional || (checkedTypes.Contains(r.MessageType) && r.CreatedAt <= outboxPreparedBefore.UtcDateTime)));
            var candidates = await due.OrderBy(r => r.NextAttemptAt).ThenBy(r => r.Id).Select(r => r.Id).Take(batchSize)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (candidates.Count == 0)
            {
                return [];
            }

            await due.Where(r => candidates.Contains(r.Id)).ExecuteUpdateAsync(
                s => s.SetProperty(r => r.LeaseOwner, owner).SetProperty(r => r.LeaseExpiresAt, leaseUntil.UtcDateTime),
                cancellationToken).ConfigureAwait(false);
            var leased = await context.Set<OutboxRecord>().AsNoTracking()
                .Where(r => candidates.Contains(r.Id) && r.LeaseOwner == owner && r.LeaseExpiresAt == leaseUntil.UtcDateTime)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return leased.ConvertAll(r => r.ToMessage());
        });

    // Only rows nobody decided meanwhile: a commit or rollback from the application wins.
    public Task<int> DeadLetterUndecidedAsync(IReadOnlyCollection<DeadLetterRequest> requests, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        runner.RunInTransactionAsync(
            async context =>
            {
                var moved = 0;
                foreach (var request in requests)
                {
                    var id = request.Message.Id;
                    if (await context.Set<OutboxRecord>()
                            .Where(r => r.Id == id && r.Status == MessageStatus.Prepared && r.LeaseOwner == owner)
                            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 1)
                    {
                        context.Set<DeadLetterRecord>().Add(StoredRows.DeadLetter(request, now));
                        moved++;
                    }
                }

                return moved;
            },
            cancellationToken);

    public Task<int> CommitCheckedAsync(IReadOnlyCollection<long> ids, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        runner.RunAsync(context => Leased(context, ids, owner).ExecuteUpdateAsync(
            s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                .SetProperty(r => r.CheckCount, r => r.CheckCount + 1)
                .SetProperty(r => r.NextAttemptAt, r => r.DueAt > now.UtcDateTime ? r.DueAt : now.UtcDateTime)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
            cancellationToken));

    public Task<int> RollbackCheckedAsync(IReadOnlyCollection<long> ids, string owner, CancellationToken cancellationToken) =>
        runner.RunAsync(context => Leased(context, ids, owner).ExecuteUpdateAsync(
            s => s.SetProperty(r => r.Status, MessageStatus.RolledBack)
                .SetProperty(r => r.CheckCount, r => r.CheckCount + 1)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
            cancellationToken));

    public Task<int> ScheduleNextCheckAsync(IReadOnlyCollection<long> ids, string owner, DateTimeOffset nextCheckAt, string? lastError, CancellationToken cancellationToken)
    {
        var error = StoredRows.Truncate(lastError);
        return runner.RunAsync(context => Leased(context, ids, owner).ExecuteUpdateAsync(
            s => s.SetProperty(r => r.CheckCount, r => r.CheckCount + 1)
                .SetProperty(r => r.NextAttemptAt, nextCheckAt.UtcDateTime)
                .SetProperty(r => r.LastError, error)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
            cancellationToken));
    }

    // The application decides a half message only while it is prepared; otherwise the status it has answers.
    private Task<HalfMessageDecision> DecideAsync(
        Guid messageId, Func<IQueryable<OutboxRecord>, Task<int>> decide, MessageStatus decided, CancellationToken cancellationToken) =>
        runner.RunAsync(async context =>
        {
            var half = context.Set<OutboxRecord>()
                .Where(r => r.MessageId == messageId && r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Transactional);
            if (await decide(half).ConfigureAwait(false) == 1)
            {
                return new HalfMessageDecision(true, decided);
            }

            var current = await context.Set<OutboxRecord>()
                .Where(r => r.MessageId == messageId)
                .Select(r => (MessageStatus?)r.Status)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            return new HalfMessageDecision(false, current);
        });

    // Rows still prepared and leased to this instance's check: a decision that arrived meanwhile wins.
    private static IQueryable<OutboxRecord> Leased(TContext context, IReadOnlyCollection<long> ids, string owner) =>
        context.Set<OutboxRecord>().Where(r => ids.Contains(r.Id) && r.Status == MessageStatus.Prepared && r.LeaseOwner == owner);
}
