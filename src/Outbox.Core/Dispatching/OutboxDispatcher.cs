using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Publishing;
using Outbox.Storage;
using Outbox.Telemetry;

namespace Outbox.Dispatching;

/// <summary>
/// Relays committed rows to the transport. The fast path sends rows handed over at commit, still under
/// the lease they were written with; the poller claims due pending rows (retries, delayed messages, rows
/// recovered after a crash, rows held back for ordering) and wakes on new work or at the next due time.
/// </summary>
internal sealed class OutboxDispatcher(
    IOutboxStore store,
    MessageRelay relay,
    DispatchSignal signal,
    OutboxInstance instance,
    IOptions<OutboxOptions> options,
    TimeProvider timeProvider,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    // Batches being sent at once by the poller: while one is sent, the next is claimed.
    private const int BatchesInFlight = 2;

    private readonly OutageLog _outage = new(logger, "The dispatcher", timeProvider);
    private Task? _fastPath;
    private Task? _poller;

    private void Wake() => signal.Wake();

    /// <summary>
    /// Why the dispatcher is not sending, for the health check; <see langword="null"/> while both its loops run,
    /// or are about to (the host runs <see cref="ExecuteAsync"/> on a thread of its own once started).
    /// </summary>
    internal string? NotRunning() => (ExecuteTask, _fastPath, _poller) switch
    {
        (null, _, _) => "The dispatcher has not started.",
        ({ IsCompleted: true }, _, _) => "The dispatcher has stopped.", // by the host, whether or not its loops had begun
        (_, { IsCompleted: true } lane, _) => Stopped("fast path", lane),
        (_, _, { IsCompleted: true } lane) => Stopped("poller", lane),
        _ => null,
    };

    private static string Stopped(string lane, Task task) =>
        $"The dispatcher's {lane} has stopped{(task.Exception?.InnerException is { } ex ? $": {ex.Message}" : ".")}";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.Dispatch.ValidateAsync(cancellationToken).ConfigureAwait(false);
        Log.DispatcherStarted(logger, instance.Id);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Rows handed over but not sent go back to the table so that any instance sends them at once.
        var left = new List<long>();
        while (signal.CommittedMessages.TryRead(out var row))
        {
            left.Add(row.Id);
        }

        if (left.Count > 0)
        {
            await store.Dispatch.ReleaseAsync(left, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _fastPath = RunFastPathAsync(stoppingToken);
        _poller = RunPollerAsync(stoppingToken);
        return Task.WhenAll(_fastPath, _poller);
    }

    /// <summary>Sends one batch of handed-over rows. Rows whose key has an older unsent row go back to the poller.</summary>
    internal async Task SendCommittedAsync(IReadOnlyList<StoredMessage> rows, CancellationToken cancellationToken)
    {
        var keys = rows.Where(r => r.Key is not null).Select(r => r.Key!).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            await relay.RelayAsync(rows, cancellationToken).ConfigureAwait(false);
            return;
        }

        var oldest = await store.Dispatch.GetOldestUnsentIdsAsync(keys, cancellationToken).ConfigureAwait(false);
        var firstHere = rows.Where(r => r.Key is not null)
            .GroupBy(r => r.Key!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(r => r.Id), StringComparer.Ordinal);
        var blocked = rows.Where(r => r.Key is { } key && oldest.TryGetValue(key, out var id) && id < firstHere[key]).ToList();
        var ready = blocked.Count == 0 ? rows : rows.Except(blocked).ToList();
        if (blocked.Count > 0)
        {
            await store.Dispatch.ReleaseAsync(blocked.ConvertAll(r => r.Id), timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        await relay.RelayAsync(ready, cancellationToken).ConfigureAwait(false);

        // Rows of these keys waiting in the table may now be first in line.
        Wake();
    }

    /// <summary>Claims and sends one batch of due rows; returns how many were claimed.</summary>
    internal async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var claim = await ClaimAsync(timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await using (claim.ConfigureAwait(false))
        {
            if (claim.Messages.Count > 0)
            {
                await relay.RelayAsync(claim.Messages, claim, cancellationToken).ConfigureAwait(false);
            }

            await claim.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            return claim.Messages.Count;
        }
    }

    private Task<IDispatchClaim> ClaimAsync(DateTimeOffset now, CancellationToken cancellationToken, int? size = null)
    {
        var dispatch = options.Value.Dispatch;
        return store.Dispatch.ClaimAsync(instance.Id, now, now + dispatch.LeaseDuration, size ?? dispatch.BatchSize, cancellationToken);
    }

    /// <summary>Sends every row handed over so far, in batches; returns how many rows it took.</summary>
    internal async Task<int> DrainCommittedAsync(CancellationToken cancellationToken)
    {
        var batchSize = options.Value.Dispatch.BatchSize;
        var taken = 0;
        while (true)
        {
            var batch = new List<StoredMessage>(batchSize);
            while (batch.Count < batchSize && signal.CommittedMessages.TryRead(out var row))
            {
                batch.Add(row);
            }

            if (batch.Count == 0)
            {
                return taken;
            }

            taken += batch.Count;
            await SendCommittedAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunFastPathAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await signal.CommittedMessages.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await DrainCommittedAsync(stoppingToken).ConfigureAwait(false);
                    _outage.Answered();
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The rows stay leased to this instance; the poller or the recovery job sends them later.
                    _outage.Failed(ex, options.Value.Dispatch.MaxPollInterval);
                    Wake();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunPollerAsync(CancellationToken stoppingToken)
    {
        var dispatch = options.Value.Dispatch;
        var idle = dispatch.PollInterval;
        var sending = new List<Task>(BatchesInFlight);
        var size = new ClaimSize(dispatch.BatchSize);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = signal.Arm();
            TimeSpan wait;
            try
            {
                sending.RemoveAll(t => t.IsCompleted);
                if (relay.RefusedFor(timeProvider.GetUtcNow()) is { } refused)
                {
                    // Until the break ends, when the next claim's send tries the broker; a circuit that
                    // closes meanwhile (a fast-path send tried it) wakes the poller.
                    wait = refused;
                }
                else if (sending.Count >= BatchesInFlight)
                {
                    await Task.WhenAny(sending).ConfigureAwait(false);
                    continue;
                }
                else
                {
                    // The next batch is claimed while the previous one is still being sent: rows of a key
                    // that is in flight are not claimable, so per-key order holds across the two.
                    var claimedAt = timeProvider.GetUtcNow();
                    var othersInFlight = sending.Count > 0;
                    var claim = await ClaimAsync(claimedAt, stoppingToken, size.Next).ConfigureAwait(false);
                    _outage.Answered();
                    var claimed = claim.Messages.Count;
                    if (claimed > 0)
                    {
                        sending.Add(SendClaimedAsync(claim, stoppingToken));
                    }
                    else
                    {
                        await claim.DisposeAsync().ConfigureAwait(false);
                    }

                    if (size.Claimed(claimed, othersInFlight))
                    {
                        idle = dispatch.PollInterval;
                        continue;
                    }

                    idle = claimed > 0 || sending.Count > 0 ? dispatch.PollInterval : Min(idle * 2, dispatch.MaxPollInterval);
                    // Looked up from the claim's instant: a row that fell due while the claim ran was not
                    // claimed, and is next due (now, at once) rather than left to the next poll.
                    var nextDue = await store.Dispatch.GetNextDueAsync(claimedAt, stoppingToken).ConfigureAwait(false);
                    wait = nextDue is { } due ? Min(due - timeProvider.GetUtcNow(), idle) : idle;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Database down, for example: keep trying, more slowly, without crashing the host.
                idle = Min(idle * 2, dispatch.MaxPollInterval);
                wait = idle;
                _outage.Failed(ex, dispatch.MaxPollInterval);
            }

            await WaitAsync(wake, wait, stoppingToken).ConfigureAwait(false);
        }

        await Task.WhenAll(sending).ConfigureAwait(false);
    }

    /// <summary>Sends a claimed batch and records its outcome, then wakes the poller: rows of its keys may now be first in line.</summary>
    private async Task SendClaimedAsync(IDispatchClaim claim, CancellationToken stoppingToken)
    {
        try
        {
            await relay.RelayAsync(claim.Messages, claim, stoppingToken).ConfigureAwait(false);
            await claim.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Outcomes not recorded: the claim is given up, and the rows are claimed again at once, or
            // once their lease runs out.
            _outage.Failed(ex, options.Value.Dispatch.MaxPollInterval);
        }
        finally
        {
            await claim.DisposeAsync().ConfigureAwait(false);
            Wake();
        }
    }

    private async Task WaitAsync(Task wake, TimeSpan wait, CancellationToken stoppingToken)
    {
        if (wait <= TimeSpan.Zero || wake.IsCompleted)
        {
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, timeProvider, cancel.Token);
        await Task.WhenAny(wake, delay).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
