using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Storage;
using Outbox.Telemetry;

namespace Outbox.Dispatching;

/// <summary>
/// Sends leased rows in per-key waves and records the outcome: dispatched, failed with a later attempt,
/// dead-lettered after <c>MaxAttempts</c>, or released without an attempt counted (untried, or the broker
/// could not be reached), due at once: the circuit breaker decides when they are tried again.
/// </summary>
internal sealed class MessageRelay(
    IOutboxStore store,
    SendPipelines pipelines,
    IOptions<OutboxOptions> options,
    TimeProvider timeProvider,
    ILogger<MessageRelay> logger)
{
    public bool IsCircuitOpen => pipelines.AllCircuitsOpen;

    /// <summary>How long from <paramref name="now"/> sends stay refused, or <see langword="null"/> when one may go.</summary>
    public TimeSpan? RefusedFor(DateTimeOffset now) => pipelines.RefusedFor(now);

    /// <summary>Sends rows leased in the store (written at commit) and records their outcomes in it.</summary>
    public Task RelayAsync(IReadOnlyList<StoredMessage> rows, CancellationToken cancellationToken) => RelayAsync(rows, store.Dispatch, cancellationToken);

    /// <summary>Sends rows and records their outcomes through <paramref name="outcomes"/>: the store, or the claim that took them.</summary>
    public async Task RelayAsync(IReadOnlyList<StoredMessage> rows, IDispatchOutcomes outcomes, CancellationToken cancellationToken)
    {
        var sent = new List<StoredMessage>();
        var failed = new List<(StoredMessage Row, string Error, Exception? Exception)>();
        var unreachable = new List<(StoredMessage Row, string Error, Exception? Exception)>();
        var heldBack = new List<long>();
        var stoppedKeys = new HashSet<string>(StringComparer.Ordinal);

        // A transport that keeps key order within a batch gets every row at once; others get waves.
        var waves = pipelines.Single is { KeepsKeyOrderInBatch: true } ? [[.. rows.OrderBy(r => r.Id)]] : Waves.Plan(rows);
        foreach (var wave in waves)
        {
            var live = new List<StoredMessage>(wave.Count);
            foreach (var row in wave)
            {
                if (row.Key is { } key && stoppedKeys.Contains(key))
                {
                    heldBack.Add(row.Id);
                }
                else
                {
                    live.Add(row);
                }
            }

            if (live.Count == 0)
            {
                continue;
            }

            var results = await SendAsync(live, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < live.Count; i++)
            {
                var row = live[i];
                if (results[i].Status != RelayStatus.Sent && row.Key is { } held && stoppedKeys.Contains(held))
                {
                    heldBack.Add(row.Id); // behind a failed row of its key in the same batch: not tried, no attempt counted
                    continue;
                }

                switch (results[i].Status)
                {
                    case RelayStatus.Sent:
                        sent.Add(row);
                        continue;
                    case RelayStatus.Deferred:
                        heldBack.Add(row.Id);
                        break;
                    case RelayStatus.Unreachable:
                        unreachable.Add((row, results[i].Error ?? "the broker could not be reached", results[i].Exception));
                        break;
                    default:
                        failed.Add((row, results[i].Error ?? "unknown error", results[i].Exception));
                        break;
                }

                if (row.Key is { } stopped)
                {
                    stoppedKeys.Add(stopped);
                }
            }
        }

        await RecordAsync(outcomes, sent, failed, unreachable, heldBack).ConfigureAwait(false);
    }

    // A wave goes to each transport its rows are routed to; the results come back in the wave's order.
    private async Task<RelayResult[]> SendAsync(List<StoredMessage> wave, CancellationToken cancellationToken)
    {
        if (pipelines.Single is { } single)
        {
            return await single.SendAsync(wave, cancellationToken).ConfigureAwait(false);
        }

        var byTransport = wave.Select((row, index) => (Row: row, Index: index)).GroupBy(r => pipelines.For(r.Row)).ToList();
        if (byTransport.Count == 1)
        {
            return await byTransport[0].Key.SendAsync(wave, cancellationToken).ConfigureAwait(false);
        }

        var results = new RelayResult[wave.Count];
        foreach (var group in byTransport)
        {
            var sent = await group.Key.SendAsync([.. group.Select(r => r.Row)], cancellationToken).ConfigureAwait(false);
            var j = 0;
            foreach (var (_, index) in group)
            {
                results[index] = sent[j++];
            }
        }

        return results;
    }

    // Outcomes are recorded even when the host is stopping: a sent row left unmarked would be sent again.
    private async Task RecordAsync(
        IDispatchOutcomes outcomes,
        List<StoredMessage> sent,
        List<(StoredMessage Row, string Error, Exception? Exception)> failed,
        List<(StoredMessage Row, string Error, Exception? Exception)> unreachable,
        List<long> heldBack)
    {
        var dispatch = options.Value.Dispatch;
        var now = timeProvider.GetUtcNow();
        if (sent.Count > 0)
        {
            foreach (var pipeline in sent.Select(pipelines.For).Distinct())
            {
                if (pipeline.OutageEnds())
                {
                    Log.CircuitClosed(logger);
                }
            }

            await outcomes.MarkDispatchedAsync(sent.ConvertAll(r => r.Id), now, CancellationToken.None).ConfigureAwait(false);
            OutboxTelemetry.Dispatched.Add(sent.Count);
            foreach (var row in sent)
            {
                OutboxTelemetry.Latency.Record((now - (row.DueAt > row.CreatedAt ? row.DueAt : row.CreatedAt)).TotalMilliseconds);
            }
        }

        if (failed.Count > 0)
        {
            Log.SendFailed(logger, failed[0].Exception, failed.Count, failed[0].Error);
            OutboxTelemetry.Failed.Add(failed.Count);
            var retries = new List<DispatchFailure>();
            var deadLetters = new List<DeadLetterRequest>();
            foreach (var (row, error, _) in failed)
            {
                var attempts = row.Attempts + 1;
                if (attempts >= dispatch.MaxAttempts)
                {
                    deadLetters.Add(new DeadLetterRequest(row, "max-attempts", attempts, error, DeadLetterSources.Dispatch));
                    Log.DeadLettered(logger, row.MessageId, row.MessageType, row.Destination, attempts, error);
                }
                else
                {
                    var wait = Backoff.ForAttempt(attempts, dispatch.AttemptBackoff, dispatch.MaxAttemptBackoff, Random.Shared.NextDouble());
                    retries.Add(new DispatchFailure(row.Id, attempts, now + wait, error));
                }
            }

            if (retries.Count > 0)
            {
                await outcomes.MarkFailedAsync(retries, CancellationToken.None).ConfigureAwait(false);
            }

            if (deadLetters.Count > 0)
            {
                await outcomes.DeadLetterAsync(deadLetters, now, CancellationToken.None).ConfigureAwait(false);
                OutboxTelemetry.DeadLettered.Add(deadLetters.Count);
            }
        }

        if (unreachable.Count > 0)
        {
            // An outage is logged once, by whichever comes first: its first failed send, or the circuit
            // opening. The circuit may not open for a while under steady traffic (the sends that went before
            // the outage still fill its sampling window), and every failed send until the next one that goes
            // is the same news.
            foreach (var group in unreachable.GroupBy(u => pipelines.For(u.Row)))
            {
                var first = group.First();
                if (group.Key.OutageStarts())
                {
                    Log.SendFailed(logger, first.Exception, group.Count(), first.Error);
                }
                else
                {
                    Log.SendStillFailing(logger, group.Count(), first.Error);
                }
            }

            OutboxTelemetry.Failed.Add(unreachable.Count);
            heldBack.AddRange(unreachable.Select(u => u.Row.Id));
        }

        if (heldBack.Count > 0)
        {
            await outcomes.ReleaseAsync(heldBack, now, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
