using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Outbox.Storage;
using Outbox.Telemetry;
using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>Reports what a committed sequence check found: a gap or a step out of order as a warning, a late arrival as news; each counted.</summary>
internal static class SequenceReport
{
    public static void Report(ILogger logger, ConsumerRegistration consumer, TransportMessage message, SequenceOutcome outcome)
    {
        var source = message.Headers[TransportMessage.SourceHeader];
        var key = message.Key!;
        var sequence = long.Parse(message.Headers[TransportMessage.SequenceHeader], System.Globalization.CultureInfo.InvariantCulture);
        var tags = new TagList { { "messaging.consumer.group.name", consumer.Name }, { "outbox.source", source } };
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
}
