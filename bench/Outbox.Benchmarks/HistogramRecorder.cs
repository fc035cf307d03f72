using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Outbox.Telemetry;

namespace Outbox.Benchmarks;

/// <summary>Keeps every value the outbox records on one of its histograms, in the order recorded.</summary>
internal sealed class HistogramRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<double> _values = new();

    public HistogramRecorder(string instrumentName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OutboxTelemetry.Name && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _values.Enqueue(value));
        _listener.Start();
    }

    /// <summary>The values recorded so far, without the first <paramref name="skip"/>.</summary>
    public List<double> Values(int skip = 0) => [.. _values.Skip(skip)];

    public void Dispose() => _listener.Dispose();
}
