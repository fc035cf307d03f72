using System.Diagnostics.Metrics;
using Outbox.Telemetry;

namespace Outbox.Benchmarks;

/// <summary>Listens to one of the outbox's instruments (meter <c>Outbox</c>).</summary>
internal static class OutboxInstrument
{
    /// <summary>A started listener that passes every measurement of <paramref name="instrumentName"/> to <paramref name="measured"/>; dispose it to stop.</summary>
    public static MeterListener Listen<T>(string instrumentName, Action<T> measured)
        where T : struct
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == OutboxTelemetry.Name && instrument.Name == instrumentName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<T>((_, value, _, _) => measured(value));
        listener.Start();
        return listener;
    }
}
