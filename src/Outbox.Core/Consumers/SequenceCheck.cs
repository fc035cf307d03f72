using System.Globalization;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>Which messages a consumer checks the sequence numbers of, and the check itself, in the transaction that handles or sets aside the message.</summary>
internal static class SequenceCheck
{
    /// <summary>
    /// The producer, key and number of a message <paramref name="consumer"/> checks; <see langword="null"/> for
    /// one without them (another producer's, or one with no key) or with a producer name no store holds,
    /// which is handled as any other.
    /// </summary>
    public static SequenceNumber? Of(ConsumerRegistration consumer, TransportMessage message, ConsumersOptions settings) =>
        (consumer.CheckSequence ?? settings.CheckSequence)
        && message.Key is { } key
        && message.Headers.TryGetValue(TransportMessage.SourceHeader, out var source)
        && MessageFields.Problem("source", source) is null
        && message.Headers.TryGetValue(TransportMessage.SequenceHeader, out var text)
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
        && number > 0
            ? new SequenceNumber(source, key, number)
            : null;

    /// <summary>Records the number with <paramref name="ledger"/>, the ledger of the scope whose unit of work is the transaction under way.</summary>
    public static async Task<SequenceOutcome> RecordAsync(
        ISequenceLedger ledger, ConsumerRegistration consumer, TransportMessage message, SequenceNumber number, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var outcome = await ledger.RecordAsync(consumer.Name, number.Source, number.Key, number.Number, now, cancellationToken).ConfigureAwait(false);

        // A dead letter requeued for this consumer comes back under the number counted when it was set aside.
        return outcome.Verdict == SequenceVerdict.OutOfOrder && message.TargetConsumer == consumer.Name
            ? outcome with { Verdict = SequenceVerdict.Requeued }
            : outcome;
    }
}
