using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.EntityFrameworkCore.Inbox;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>
/// Deletes finished outbox rows, old inbox rows and old dead letters, a batch at a time with the dialect's
/// statement: where the database can (PostgreSQL), a batch skips rows another instance is deleting instead of
/// waiting for them.
/// </summary>
internal sealed class EntityFrameworkRetentionStore<TContext>(ContextRunner<TContext> runner) : IRetentionStore
    where TContext : DbContext
{
    private const int Dispatched = (int)MessageStatus.Dispatched;
    private const int RolledBack = (int)MessageStatus.RolledBack;

    public Task<int> DeleteFinishedAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) =>
        DeleteBatchAsync<OutboxRecord>($"(status = {Dispatched} AND dispatched_at < {{0}}) OR (status = {RolledBack} AND created_at < {{0}})", "id", before, batchSize, cancellationToken);

    public Task<int> DeleteInboxAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) =>
        DeleteBatchAsync<InboxRecord>("received_at < {0}", "received_at", before, batchSize, cancellationToken);

    public Task<int> DeleteDeadLettersAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) =>
        DeleteBatchAsync<DeadLetterRecord>("dead_lettered_at < {0}", "dead_lettered_at", before, batchSize, cancellationToken);

    // A key whose numbers were last seen before the cut-off and of which nothing is missing. Its row is
    // updated only by a message of that key, which makes it recent: the rows deleted are idle ones.
    public Task<int> DeleteSequencesAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context =>
        {
            var last = Tables.Of<SequenceRecord>(context);
            var gaps = Tables.Of<SequenceGapRecord>(context);
            var condition = $"{last}.updated_at < {{0}} AND NOT EXISTS (SELECT 1 FROM {gaps} g "
                + $"WHERE g.consumer = {last}.consumer AND g.source = {last}.source AND g.message_key = {last}.message_key)";
            return Delete(context, last, condition, "updated_at", before.UtcDateTime, batchSize, cancellationToken);
        });

    private Task<int> DeleteBatchAsync<TRecord>(string condition, string order, DateTimeOffset before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => Delete(context, Tables.Of<TRecord>(context), condition, order, before.UtcDateTime, batchSize, cancellationToken));

    // Parameters: {0} before, {1} batch size. The condition and order are this class's constants and the model's
    // table names; the values are parameters.
    private Task<int> Delete(TContext context, string table, string condition, string order, DateTime before, int batchSize, CancellationToken cancellationToken) =>
        context.Database.ExecuteSqlRawAsync(runner.Dialect.DeleteBatch(table, condition, order), [before, batchSize], cancellationToken);
}
