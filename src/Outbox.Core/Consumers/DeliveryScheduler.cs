using Microsoft.Extensions.Logging;
using Outbox.Telemetry;
using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>
/// Runs one consumer's deliveries, up to <c>concurrency</c> handlers at a time. With per-key ordering a
/// key has one delivery running or waiting to be tried again, and its later deliveries queue behind it,
/// unsettled, in the order received; deliveries of other keys, and unkeyed ones, do not wait for it.
/// </summary>
/// <remarks>
/// A delivery's run never ends the scheduler: <paramref name="run"/> settles what it can and anything it
/// throws is logged, so every queue moves on. At most <see cref="MaxHeld"/> deliveries are held at once;
/// <see cref="EnqueueAsync"/> waits for room, which bounds what a transport without prefetch can pile up.
/// </remarks>
/// <param name="concurrency">Handlers running at the same time.</param>
/// <param name="perKey">Whether deliveries that share a key run one at a time, in order.</param>
/// <param name="run">Runs one attempt of a delivery; returns the delivery to try again and when, or <see langword="null"/> when it is settled.</param>
/// <param name="timeProvider">The clock the waits between attempts run on.</param>
/// <param name="logger">Where a run that threw is reported.</param>
/// <param name="stopping">Stops starting runs and waits; what is not settled then is delivered again by the transport.</param>
internal sealed class DeliveryScheduler(
    int concurrency,
    bool perKey,
    Func<IDelivery, CancellationToken, Task<DeliveryRetry?>> run,
    TimeProvider timeProvider,
    ILogger logger,
    CancellationToken stopping) : IDisposable
{
    /// <summary>Deliveries received and not yet finished, at most.</summary>
    public const int MaxHeld = 256;

    private readonly SemaphoreSlim _running = new(concurrency);
    private readonly SemaphoreSlim _held = new(MaxHeld);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<IDelivery>> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _chains = [];

    /// <summary>
    /// Takes a delivery: queues it behind its key, or starts it once a handler is free, so deliveries
    /// start in the order received. Waits for room while <see cref="MaxHeld"/> are held.
    /// </summary>
    public async ValueTask EnqueueAsync(IDelivery delivery, CancellationToken cancellationToken)
    {
        await _held.WaitAsync(cancellationToken).ConfigureAwait(false);
        var key = perKey ? delivery.Message.Key : null;
        if (key is not null)
        {
            lock (_gate)
            {
                if (_keys.TryGetValue(key, out var waiting))
                {
                    waiting.Enqueue(delivery);
                    return;
                }

                _keys[key] = new Queue<IDelivery>();
            }
        }

        await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        var chain = Task.Run(() => RunChainAsync(delivery, key), CancellationToken.None);
        lock (_gate)
        {
            _chains.Add(chain);
        }

        _ = chain.ContinueWith(
            finished =>
            {
                lock (_gate)
                {
                    _chains.Remove(finished);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Completes when every run under way has ended (after <c>stopping</c>, each ends after its current attempt).</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            return Task.WhenAll([.. _chains]);
        }
    }

    /// <summary>Releases the semaphores; call it once <see cref="DrainAsync"/> has finished.</summary>
    public void Dispose()
    {
        _running.Dispose();
        _held.Dispose();
    }

    // Runs a delivery to its end, then the next of its key, until the key's queue is empty. It starts
    // holding a handler slot, taken by EnqueueAsync.
    private async Task RunChainAsync(IDelivery first, string? key)
    {
        IDelivery? delivery = first;
        var holdsSlot = true;
        while (delivery is not null && !stopping.IsCancellationRequested)
        {
            await RunToEndAsync(delivery, holdsSlot).ConfigureAwait(false);
            holdsSlot = false;
            _held.Release();
            delivery = key is null ? null : NextOf(key);
        }

        if (holdsSlot)
        {
            _running.Release();
        }
    }

    private async Task RunToEndAsync(IDelivery delivery, bool holdsSlot)
    {
        while (true)
        {
            DeliveryRetry? retry;
            if (!holdsSlot)
            {
                try
                {
                    await _running.WaitAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return; // not started: the transport delivers it again
                }
            }

            holdsSlot = false;

            try
            {
                retry = await run(delivery, stopping).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // A fault in the run itself: the delivery stays unsettled and the transport gives it back.
                Log.DeliveryAbandoned(logger, ex, delivery.Message.MessageId);
                return;
            }
            finally
            {
                _running.Release();
            }

            if (retry is not { } again)
            {
                return;
            }

            try
            {
                await Task.Delay(again.After, timeProvider, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delivery = again.Delivery;
        }
    }

    private IDelivery? NextOf(string key)
    {
        lock (_gate)
        {
            if (_keys[key].TryDequeue(out var next))
            {
                return next;
            }

            _keys.Remove(key);
            return null;
        }
    }
}
