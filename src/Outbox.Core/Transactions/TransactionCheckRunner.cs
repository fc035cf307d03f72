using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Dispatching;
using Outbox.Publishing;
using Outbox.Serialization;
using Outbox.Storage;
using Outbox.Telemetry;

namespace Outbox.Transactions;

/// <summary>
/// Asks the check callbacks about prepared rows that no decision reached, and applies the answers.
/// Rows are leased while they are checked, so every instance may run this at once; a check is
/// counted only when its callback was called.
/// </summary>
internal sealed class TransactionCheckRunner(
    IOutboxStore store,
    TransactionChecks checks,
    IMessageSerializer serializer,
    IServiceScopeFactory scopes,
    DispatchSignal signal,
    OutboxInstance instance,
    IOptions<OutboxOptions> options,
    TimeProvider timeProvider,
    ILogger<TransactionCheckRunner> logger)
{
    private const string CheckLimitReached = "check-limit-reached";

    /// <summary>Checks every row due for a check, batch after batch; returns how many were checked.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var batchSize = settings.Transactions.CheckBatchSize;
        var total = 0;
        while (true)
        {
            var now = timeProvider.GetUtcNow();
            var rows = await store.Transactions.ClaimChecksAsync(
                instance.Id, now, now + settings.Dispatch.LeaseDuration, now - settings.Transactions.CheckAfter, checks.TypeNames, batchSize, cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return total;
            }

            await CheckBatchAsync(rows, cancellationToken).ConfigureAwait(false);
            total += rows.Count;
            if (rows.Count < batchSize)
            {
                return total;
            }
        }
    }

    private async Task CheckBatchAsync(IReadOnlyList<StoredMessage> rows, CancellationToken cancellationToken)
    {
        var settings = options.Value.Transactions;
        var answers = new ConcurrentBag<(StoredMessage Row, LocalTransactionState? Answer, string? Error)>();
        await Parallel.ForEachAsync(
            rows,
            new ParallelOptions { MaxDegreeOfParallelism = settings.CheckConcurrency, CancellationToken = cancellationToken },
            async (row, token) =>
            {
                var (answer, error) = await CheckAsync(row, token).ConfigureAwait(false);
                answers.Add((row, answer, error));
            }).ConfigureAwait(false);

        var now = timeProvider.GetUtcNow();
        var owner = instance.Id;
        var commits = new List<long>();
        var rollbacks = new List<long>();
        var retries = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        var deadLetters = new List<DeadLetterRequest>();
        foreach (var (row, answer, error) in answers)
        {
            if (answer is null)
            {
                // The callback was never called (it cannot be): nothing is counted, and the row is set aside with the reason.
                deadLetters.Add(new DeadLetterRequest(row, "check-failed", row.CheckCount, error, DeadLetterSources.TransactionCheck));
                continue;
            }

            var decision = answer.Value;
            if (decision == LocalTransactionState.Unknown && row.CheckCount + 1 >= settings.MaxChecks)
            {
                Log.CheckLimitReached(logger, row.MessageId, row.CheckCount + 1, settings.OnCheckLimit.ToString());
                switch (settings.OnCheckLimit)
                {
                    case CheckLimitAction.Commit:
                        decision = LocalTransactionState.Commit;
                        break;
                    case CheckLimitAction.Rollback:
                        decision = LocalTransactionState.Rollback;
                        break;
                    default:
                        deadLetters.Add(new DeadLetterRequest(row, CheckLimitReached, row.CheckCount + 1, error ?? "every check answered Unknown", DeadLetterSources.TransactionCheck));
                        continue;
                }
            }

            switch (decision)
            {
                case LocalTransactionState.Commit:
                    commits.Add(row.Id);
                    break;
                case LocalTransactionState.Rollback:
                    rollbacks.Add(row.Id);
                    break;
                default:
                    var reason = error ?? "the check answered Unknown";
                    if (!retries.TryGetValue(reason, out var ids))
                    {
                        retries[reason] = ids = [];
                    }

                    ids.Add(row.Id);
                    break;
            }
        }

        var applied = 0;
        if (commits.Count > 0)
        {
            applied += await store.Transactions.CommitCheckedAsync(commits, owner, now, CancellationToken.None).ConfigureAwait(false);
            signal.Wake();
        }

        if (rollbacks.Count > 0)
        {
            applied += await store.Transactions.RollbackCheckedAsync(rollbacks, owner, CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var (reason, ids) in retries)
        {
            applied += await store.Transactions.ScheduleNextCheckAsync(ids, owner, now + settings.CheckInterval, reason, CancellationToken.None).ConfigureAwait(false);
        }

        if (deadLetters.Count > 0)
        {
            applied += await store.Transactions.DeadLetterUndecidedAsync(deadLetters, owner, now, CancellationToken.None).ConfigureAwait(false);
        }

        var decided = commits.Count + rollbacks.Count + retries.Values.Sum(ids => ids.Count) + deadLetters.Count;
        if (applied < decided)
        {
            // A commit or rollback from the application arrived while the check ran: the first decision stands.
            Log.LateCheckAnswers(logger, decided - applied);
        }
    }

    private async Task<(LocalTransactionState? Answer, string? Error)> CheckAsync(StoredMessage row, CancellationToken cancellationToken)
    {
        if (!checks.TryGet(row.MessageType, out var type, out var check))
        {
            return (null, $"no check callback is registered for message type '{row.MessageType}'");
        }

        object message;
        try
        {
            message = serializer.Deserialize(row.Body.Span, type);
        }
        catch (Exception ex)
        {
            return (null, $"the payload cannot be read as {type.Name}: {ex.Message}");
        }

        var context = new TransactionCheckContext(
            row.MessageId,
            row.Headers,
            row.CheckCount,
            row.CreatedAt);

        // A check may not outlive the lease, or another instance could check the same row.
        using var timeout = new CancellationTokenSource(options.Value.Dispatch.LeaseDuration / 2, timeProvider);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                return (await check.InvokeAsync(scope.ServiceProvider, message, context, limit.Token).ConfigureAwait(false), null);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.CheckFailed(logger, ex, row.MessageId);
            return (LocalTransactionState.Unknown, $"the check failed: {ex.Message}");
        }
    }
}
