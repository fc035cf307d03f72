using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Consumers;
using Outbox.Telemetry;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>A consumer checking the sequence numbers of what it handles.</summary>
public abstract partial class ConsumerScenarios
{
    // A producer of each test's own, so that the measurements of tests running at once stay apart.
    private readonly string _producer = $"orders-{Guid.NewGuid():N}";

    [Fact]
    public async Task CheckSequence_ReportsAGapOnce_ALateArrivalAsNoLongerMissing_AndAStepBack_ButNotADuplicateOrAMessageWithoutNumbers()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:CheckSequence"] = "true" });
        using var measured = new SequenceMeasurements(_producer);
        var second = Numbered(2);

        foreach (var message in new[] { Numbered(1), second, second, Numbered(4), Message(new OrderPlaced(50, "plain"), key: "order-1") })
        {
            Assert.NotEqual(InboxResult.Failed, (await Process(host, new RecordedDelivery(message))).Result);
        }

        Assert.Equal([$"Warning Outbox.Consumers.ConsumerHost: Consumer payments is missing messages 3 to 3 of key order-1 from {_producer}: it received 4 after 2."], Logs.AtLeast(LogLevel.Warning));
        var monitor = host.Services.GetRequiredService<IOutboxMonitor>();
        Assert.Equal((3L, 3L), Assert.Single(await monitor.ListSequenceGapsAsync("payments")) is var gap ? (gap.FirstMissing, gap.LastMissing) : default);

        await Process(host, new RecordedDelivery(Numbered(3)));
        await Process(host, new RecordedDelivery(Numbered(2))); // the same number under another message id

        Assert.Contains(Logs.Entries, e => e.Message == $"Consumer payments received message 3 of key order-1 from {_producer} late: it is no longer missing.");
        Assert.Equal(
            $"Warning Outbox.Consumers.ConsumerHost: Consumer payments received message 2 of key order-1 from {_producer} out of order, after 4: a repeat with another message id, or a step backwards.",
            Logs.AtLeast(LogLevel.Warning)[^1]);
        Assert.Empty(await monitor.ListSequenceGapsAsync());
        Assert.Equal((1, 0, 1, 1), (measured.Gaps, measured.Missing, measured.Late, measured.OutOfOrder));
    }

    [Fact]
    public async Task WithoutCheckSequence_NumbersAreNotChecked()
    {
        var host = Host();

        await Process(host, new RecordedDelivery(Numbered(1)));
        await Process(host, new RecordedDelivery(Numbered(5)));

        Assert.Empty(Logs.AtLeast(LogLevel.Warning));
        Assert.Empty(await host.Services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync());
    }

    private TransportMessage Numbered(long sequence) => Message(new OrderPlaced(100 + sequence, "ada"), key: "order-1") with
    {
        Headers = new Dictionary<string, string> { [TransportMessage.SequenceHeader] = $"{sequence}", [TransportMessage.SourceHeader] = _producer },
    };

    /// <summary>The sequence instruments' measurements for one producer.</summary>
    private sealed class SequenceMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _gaps, _missing, _late, _outOfOrder;

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

        public void Dispose() => _listener.Dispose();

        private ref long Counter(string name)
        {
            switch (name)
            {
                case "outbox.consumer.sequence.gaps": return ref _gaps;
                case "outbox.consumer.sequence.missing": return ref _missing;
                case "outbox.consumer.sequence.late": return ref _late;
                default: return ref _outOfOrder;
            }
        }
    }
}
