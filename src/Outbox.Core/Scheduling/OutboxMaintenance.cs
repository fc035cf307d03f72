using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Dispatching;
using Outbox.Storage;
using Outbox.Telemetry;
using Outbox.Transactions;

namespace Outbox.Scheduling;

/// <summary>
/// The work of the maintenance jobs. Each step is a conditional update or delete on the rows
/// themselves, so every instance may run it at the same time.
/// </summary>
internal sealed class OutboxMaintenance(
    IOutboxStore store,
    DispatchSignal signal,
    TransactionChecks checks,
    TransactionCheckRunner checkRunner,
    IOptions<OutboxOptions> options,
    TimeProvider timeProvider,
    ILogger<OutboxMaintenance> logger)
{
    /// <summary>
    /// Makes stale interceptor-written prepared rows pending (their transaction committed), asks the
    /// check callbacks about half messages (and interceptor rows of checked types), and measures the backlog.
    /// Returns how many rows were recovered or checked.
    /// </summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var transactions = options.Value.Transactions;
        var now = timeProvider.GetUtcNow();
        var recovered = 0;
        int batch;
        do
        {
            batch = await store.Transactions.RecoverStalePreparedAsync(now, now - transactions.CheckAfter, checks.TypeNames, transactions.CheckBatchSize, cancellationToken).ConfigureAwait(false);
            recovered += batch;
        }
        while (batch == transactions.CheckBatchSize);

        if (recovered > 0)
        {
            Log.Recovered(logger, recovered, transactions.CheckAfter);
            signal.Wake();
        }

        var checkedRows = await checkRunner.RunAsync(cancellationToken).ConfigureAwait(false);

        var due = await store.Dispatch.GetEarliestDueUnsentAsync(cancellationToken).ConfigureAwait(false);
        OutboxTelemetry.RecordOldestPendingAge(due is { } since ? now - since : TimeSpan.Zero);
        return recovered + checkedRows;
    }

    /// <summary>
    /// Deletes dispatched and rolled-back rows older than <c>Retention:KeepFinishedFor</c>, inbox rows
    /// older than <c>Consumers:DedupeWindow</c> and, when <c>Retention:KeepDeadLettersFor</c> is set, dead
    /// letters older than that, in batches.
    /// </summary>
    public async Task<int> CleanUpAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Retention;
        var now = timeProvider.GetUtcNow();
        var deleted = await DeleteInBatchesAsync(store.Retention.DeleteFinishedAsync, now - settings.KeepFinishedFor, settings.BatchSize, cancellationToken).ConfigureAwait(false);
        deleted += await DeleteInBatchesAsync(store.Retention.DeleteInboxAsync, now - options.Value.Consumers.DedupeWindow, settings.BatchSize, cancellationToken).ConfigureAwait(false);
        deleted += await DeleteInBatchesAsync(store.Retention.DeleteSequencesAsync, now - options.Value.Consumers.DedupeWindow, settings.BatchSize, cancellationToken).ConfigureAwait(false);
        if (settings.KeepDeadLettersFor is { } keep)
        {
            deleted += await DeleteInBatchesAsync(store.Retention.DeleteDeadLettersAsync, now - keep, settings.BatchSize, cancellationToken).ConfigureAwait(false);
        }

        Log.RetentionDeleted(logger, deleted);
        return deleted;
    }

    private static async Task<int> DeleteInBatchesAsync(
        Func<DateTimeOffset, int, CancellationToken, Task<int>> delete, DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
    {
        var deleted = 0;
        int batch;
        do
        {
            batch = await delete(before, batchSize, cancellationToken).ConfigureAwait(false);
            deleted += batch;
        }
        while (batch == batchSize);

        return deleted;
    }
}
