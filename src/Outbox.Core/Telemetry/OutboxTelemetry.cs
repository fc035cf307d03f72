using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Outbox.Telemetry;

/// <summary>The <see cref="ActivitySource"/> and <see cref="Meter"/> named <c>Outbox</c>, and their instruments.</summary>
public static class OutboxTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Outbox";

    /// <summary>Activities: <c>{destination} publish</c> at publish, <c>outbox send</c> around each transport send (linked to each message's publish).</summary>
    internal static readonly ActivitySource Source = new(Name);

    internal static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Written = Meter.CreateCounter<long>("outbox.messages.written", "{message}", "Messages committed to the outbox.");

    internal static readonly Counter<long> Dispatched = Meter.CreateCounter<long>("outbox.messages.dispatched", "{message}", "Messages accepted by the transport.");

    internal static readonly Counter<long> Failed = Meter.CreateCounter<long>("outbox.messages.failed", "{message}", "Send attempts that failed after in-process retries.");

    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("outbox.messages.dead_lettered", "{message}", "Messages moved to the dead-letter table.");

    internal static readonly Counter<long> Consumed = Meter.CreateCounter<long>("outbox.messages.consumed", "{message}", "Messages handled by a consumer, inbox row committed.");

    internal static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("outbox.messages.duplicates", "{message}", "Deliveries skipped because the inbox had already handled them.");

    internal static readonly Histogram<double> SendDuration = Meter.CreateHistogram<double>("outbox.dispatch.duration", "ms", "Duration of one transport send, retries included.");

    internal static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("outbox.dispatch.latency", "ms", "Time from publish (or due time) to the transport accepting the message.");

    internal static readonly Counter<long> SequenceGaps = Meter.CreateCounter<long>("outbox.consumer.sequence.gaps", "{gap}", "Gaps a consumer found in a producer's sequence numbers.");

    internal static readonly UpDownCounter<long> SequenceMissing = Meter.CreateUpDownCounter<long>(
        "outbox.consumer.sequence.missing", "{message}", "Sequence numbers found missing and not arrived since, counted by this process.");

    internal static readonly Counter<long> SequenceLate = Meter.CreateCounter<long>("outbox.consumer.sequence.late", "{message}", "Messages that arrived after a higher number: once missing, no longer.");

    internal static readonly Counter<long> SequenceOutOfOrder = Meter.CreateCounter<long>(
        "outbox.consumer.sequence.out_of_order", "{message}", "Messages whose number was handled already, or is lower than one handled without having been missing.");

    internal static readonly Counter<long> SequenceDeadLettered = Meter.CreateCounter<long>(
        "outbox.consumer.sequence.dead_lettered", "{message}", "Numbered messages a consumer set aside in the dead-letter table; the sequence check counts them as handled.");

    internal static readonly Counter<long> SequenceHeld = Meter.CreateCounter<long>(
        "outbox.consumer.sequence.held", "{message}", "Messages a consumer held for the sequence numbers missing before them (OnSequenceGap: Hold).");

    private static double s_oldestPendingAgeSeconds;

    static OutboxTelemetry()
    {
        Meter.CreateObservableGauge(
            "outbox.pending.age",
            () => Volatile.Read(ref s_oldestPendingAgeSeconds),
            "s",
            "How long the most overdue unsent message has been due, as last measured by the recovery job.");
    }

    internal static void RecordOldestPendingAge(TimeSpan age) =>
        Volatile.Write(ref s_oldestPendingAgeSeconds, Math.Max(0, age.TotalSeconds));
}
