using System.Diagnostics.Metrics;
using Outbox.Telemetry;

namespace Outbox.Testing;

/// <summary>The sequence instruments' measurements for one producer.</summary>
public sealed class SequenceMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _gaps, _missing, _late, _outOfOrder, _deadLettered, _held;

    public SequenceMeasurements(string producer)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OutboxTelemetry.Name && instrument.Name.StartsWith("outbox.consumer.sequence.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outbox.source" && (string?)tag.Value == producer)
                {
                    Interlocked.Add(ref Counter(instrument.Name), value);
                }
            }
        });
        _listener.Start();
    }

    public long Gaps => Interlocked.Read(ref _gaps);

    public long Missing => Interlocked.Read(ref _missing);

    public long Late => Interlocked.Read(ref _late);

    public long OutOfOrder => Interlocked.Read(ref _outOfOrder);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    public long Held => Interlocked.Read(ref _held);

    public void Dispose() => _listener.Dispose();

    private ref long Counter(string name)
    {
        switch (name)
        {
            case "outbox.consumer.sequence.gaps": return ref _gaps;
            case "outbox.consumer.sequence.missing": return ref _missing;
            case "outbox.consumer.sequence.late": return ref _late;
            case "outbox.consumer.sequence.dead_lettered": return ref _deadLettered;
            case "outbox.consumer.sequence.held": return ref _held;
            default: return ref _outOfOrder;
        }
    }
}
