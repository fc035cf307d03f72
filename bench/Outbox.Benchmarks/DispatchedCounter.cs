using System.Diagnostics.Metrics;

namespace Outbox.Benchmarks;

/// <summary>Counts the messages the dispatcher marked dispatched, from its <c>outbox.messages.dispatched</c> counter.</summary>
internal sealed class DispatchedCounter : IDisposable
{
    private readonly MeterListener _listener;
    private long _count;

    public DispatchedCounter() => _listener = OutboxInstrument.Listen<long>("outbox.messages.dispatched", value => Interlocked.Add(ref _count, value));

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
