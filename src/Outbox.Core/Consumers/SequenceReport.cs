using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Outbox.Storage;
using Outbox.Telemetry;

namespace Outbox.Consumers;

/// <summary>
/// Reports what a committed sequence check found: a gap or a step out of order as a warning, a late arrival
/// as news, a requeued dead letter not at all; each counted. Also reports a message held for a gap.
/// </summary>
internal static class SequenceReport
{
    public static void Report(ILogger logger, ConsumerRegistration consumer, SequenceNumber number, SequenceOutcome outcome)
    {
        var (source, key, sequence) = number;
        var tags = Tags(consumer, number);
        switch (outcome.Verdict)
        {
            case SequenceVerdict.Gap:
                OutboxTelemetry.SequenceGaps.Add(1, tags);
                OutboxTelemetry.SequenceMissing.Add(outcome.Missing, tags);
                Log.SequenceGap(logger, consumer.Name, source, key, outcome.FirstMissing, outcome.LastMissing, sequence, outcome.Previous);
                break;
            case SequenceVerdict.Late:
                OutboxTelemetry.SequenceLate.Add(1, tags);
                OutboxTelemetry.SequenceMissing.Add(-1, tags);
                Log.SequenceLate(logger, consumer.Name, source, key, sequence);
                break;
            case SequenceVerdict.OutOfOrder:
                OutboxTelemetry.SequenceOutOfOrder.Add(1, tags);
                Log.SequenceOutOfOrder(logger, consumer.Name, source, key, sequence, outcome.Previous);
                break;
        }
    }

    /// <summary>Reports a message held for the numbers missing before it: counted and logged the first time.</summary>
    public static void Held(ILogger logger, ConsumerRegistration consumer, SequenceNumber number, SequenceOutcome gap, TimeSpan timeout)
    {
        OutboxTelemetry.SequenceHeld.Add(1, Tags(consumer, number));
        Log.SequenceHeld(logger, consumer.Name, number.Source, number.Key, number.Number, gap.FirstMissing, gap.LastMissing, timeout);
    }

    public static TagList Tags(ConsumerRegistration consumer, SequenceNumber number) =>
        new() { { "messaging.consumer.group.name", consumer.Name }, { "outbox.source", number.Source } };
}
