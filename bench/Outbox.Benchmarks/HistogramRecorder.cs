using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Outbox.Benchmarks;

/// <summary>Keeps every value the outbox records on one of its histograms, in the order recorded.</summary>
internal sealed class HistogramRecorder : IDisposable
{
    private readonly ConcurrentQueue<double> _values = new();
    private readonly MeterListener _listener;

    public HistogramRecorder(string instrumentName) => _listener = OutboxInstrument.Listen<double>(instrumentName, _values.Enqueue);

    /// <summary>The values recorded so far, without the first <paramref name="skip"/>.</summary>
    public List<double> Values(int skip = 0) => [.. _values.Skip(skip)];

    public void Dispose() => _listener.Dispose();
}
