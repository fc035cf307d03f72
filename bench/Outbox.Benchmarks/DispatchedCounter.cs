using System.Diagnostics.Metrics;
using Outbox.Telemetry;

namespace Outbox.Benchmarks;

/// <summary>Counts the messages the dispatcher marked dispatched, from its <c>outbox.messages.dispatched</c> counter.</summary>
internal sealed class DispatchedCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public DispatchedCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OutboxTelemetry.Name && instrument.Name == "outbox.messages.dispatched")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
