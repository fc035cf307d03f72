using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Outbox.EntityFrameworkCore.Inbox;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>
/// Deletes finished outbox rows, old inbox rows and old dead letters. On PostgreSQL a batch locks its rows
/// with <c>FOR UPDATE SKIP LOCKED</c>, so instances running the job at once delete different rows instead of
/// waiting on each other; SQLite has one writer.
/// </summary>
internal sealed class EntityFrameworkRetentionStore<TContext>(ContextRunner<TContext> runner) : IRetentionStore
    where TContext : DbContext
{
    private const int Dispatched = (int)MessageStatus.Dispatched;
    private const int RolledBack = (int)MessageStatus.RolledBack;

    public Task<int> DeleteFinishedAsync(DateTime before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => ClaimSql.IsPostgreSql(context)
            ? DeleteSkippingLockedAsync<OutboxRecord>(
                context, $"(status = {Dispatched} AND dispatched_at < {{0}}) OR (status = {RolledBack} AND created_at < {{0}})", "id", before, batchSize, cancellationToken)
            : context.Set<OutboxRecord>()
                .Where(r => (r.Status == MessageStatus.Dispatched && r.DispatchedAt < before)
                    || (r.Status == MessageStatus.RolledBack && r.CreatedAt < before))
                .OrderBy(r => r.Id)
                .Take(batchSize)
                .ExecuteDeleteAsync(cancellationToken));

    public Task<int> DeleteInboxAsync(DateTime before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => ClaimSql.IsPostgreSql(context)
            ? DeleteSkippingLockedAsync<InboxRecord>(context, "received_at < {0}", "received_at", before, batchSize, cancellationToken)
            : context.Set<InboxRecord>()
                .Where(i => i.ReceivedAt < before)
                .OrderBy(i => i.ReceivedAt)
                .Take(batchSize)
                .ExecuteDeleteAsync(cancellationToken));

    public Task<int> DeleteDeadLettersAsync(DateTime before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => ClaimSql.IsPostgreSql(context)
            ? DeleteSkippingLockedAsync<DeadLetterRecord>(context, "dead_lettered_at < {0}", "dead_lettered_at", before, batchSize, cancellationToken)
            : context.Set<DeadLetterRecord>()
                .Where(d => d.DeadLetteredAt < before)
                .OrderBy(d => d.DeadLetteredAt)
                .Take(batchSize)
                .ExecuteDeleteAsync(cancellationToken));

    // A key whose numbers were last seen before the cut-off and of which nothing is missing. Its row is
    // updated only by a message of that key, which makes it recent: the rows deleted are idle ones.
    public Task<int> DeleteSequencesAsync(DateTime before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<SequenceRecord>()
            .Where(q => q.UpdatedAt < before
                && !context.Set<SequenceGapRecord>().Any(g => g.Consumer == q.Consumer && g.Source == q.Source && g.MessageKey == q.MessageKey))
            .OrderBy(q => q.UpdatedAt)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken));

    // Parameters: {0} before, {1} batch size. The rows are found by their physical address, locked, and
    // those another transaction holds are left for it.
    private static Task<int> DeleteSkippingLockedAsync<TRecord>(
        TContext context, string condition, string order, DateTime before, int batchSize, CancellationToken cancellationToken)
    {
        var entity = context.Model.FindEntityType(typeof(TRecord))!;
        var table = context.GetService<ISqlGenerationHelper>().DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
        return context.Database.ExecuteSqlRawAsync(DeleteSql(table, condition, order), [before, batchSize], cancellationToken);
    }

    // Built from the model's table name and this class's constants only; the values are parameters.
    private static string DeleteSql(string table, string condition, string order) =>
        $"DELETE FROM {table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE {condition} ORDER BY {order} LIMIT {{1}} FOR UPDATE SKIP LOCKED))";
}
