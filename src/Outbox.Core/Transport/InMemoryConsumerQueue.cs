namespace Outbox.Transport;

/// <summary>A consumer's queue: messages wait in it until read, and unsettled ones come back to its front.</summary>
internal sealed class InMemoryConsumerQueue(string source)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(TransportMessage Message, int Attempt)> _ready = new();
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Source { get; } = source;

    public void Enqueue(TransportMessage message) => Add(message, 1);

    public void Add(TransportMessage message, int attempt)
    {
        lock (_gate)
        {
            _ready.AddLast((message, attempt));
            _added.TrySetResult();
        }
    }

    public void ReturnToFront(IEnumerable<(TransportMessage Message, int Attempt)> unsettled)
    {
        lock (_gate)
        {
            foreach (var entry in unsettled.Reverse())
            {
                _ready.AddFirst(entry);
            }

            _added.TrySetResult();
        }
    }

    public async Task<(TransportMessage Message, int Attempt)> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task added;
            lock (_gate)
            {
                if (_ready.First is { } first)
                {
                    _ready.RemoveFirst();
                    return first.Value;
                }

                if (_added.Task.IsCompleted)
                {
                    _added = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                added = _added.Task;
            }

            await added.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>One read of a consumer's queue: the deliveries it handed out and that are not settled yet.</summary>
internal sealed class InMemoryReading(InMemoryConsumerQueue queue, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly List<InMemoryDelivery> _unsettled = [];
    private bool _closed;

    public async Task<IDelivery> NextAsync(CancellationToken cancellationToken)
    {
        var (message, attempt) = await queue.TakeAsync(cancellationToken).ConfigureAwait(false);
        var delivery = new InMemoryDelivery(message, attempt, this);
        lock (_gate)
        {
            _unsettled.Add(delivery);
        }

        return delivery;
    }

    // Whether the delivery was still this reading's to settle: after Close it went back to the queue.
    public bool Settle(InMemoryDelivery delivery)
    {
        lock (_gate)
        {
            return !_closed && _unsettled.Remove(delivery);
        }
    }

    public void Redeliver(InMemoryDelivery delivery, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (Settle(delivery))
        {
            _ = Task.Delay(delay, timeProvider, cancellationToken).ContinueWith(
                _ => queue.Add(delivery.Message, delivery.Attempt + 1),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            queue.ReturnToFront(_unsettled.ConvertAll(d => (d.Message, d.Attempt + 1)));
            _unsettled.Clear();
        }
    }
}

internal sealed class InMemoryDelivery(TransportMessage message, int attempt, InMemoryReading reading) : IDelivery
{
    public TransportMessage Message { get; } = message;

    public int Attempt { get; } = attempt;

    public ValueTask AcknowledgeAsync(CancellationToken cancellationToken)
    {
        reading.Settle(this);
        return ValueTask.CompletedTask;
    }

    public ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        reading.Redeliver(this, delay, cancellationToken);
        return ValueTask.CompletedTask;
    }
}
