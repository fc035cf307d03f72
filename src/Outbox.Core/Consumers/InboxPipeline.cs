using Microsoft.Extensions.Options;
using Outbox.Serialization;
using Outbox.Storage;
using Outbox.Telemetry;
using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>
/// Reads a delivery as its consumer's message type and runs the handler once per consumer, through the
/// store's inbox: the inbox record, the handler's changes and what it publishes commit together.
/// </summary>
internal sealed class InboxPipeline(IInboxStore store, IMessageSerializer serializer, IOptions<OutboxOptions> options, TimeProvider timeProvider) : IInboxPipeline
{
    public async Task<InboxOutcome> HandleAsync(ConsumerRegistration consumer, IDelivery delivery, CancellationToken cancellationToken)
    {
        var incoming = delivery.Message;
        if (!options.Value.MessageTypes.TryGetType(incoming.MessageType, out var type))
        {
            return InboxOutcome.Rejected("unknown-message-type", $"'{incoming.MessageType}' is not a registered message type.");
        }

        if (type != consumer.MessageType)
        {
            return InboxOutcome.Rejected("unexpected-message-type", $"consumer '{consumer.Name}' handles {consumer.MessageType.Name}, not {type.Name}.");
        }

        object message;
        try
        {
            message = serializer.Deserialize(incoming.Body.Span, type);
        }
        catch (Exception ex)
        {
            return InboxOutcome.Rejected("malformed-message", $"the body cannot be read as {type.Name}: {ex.Message}");
        }

        var context = new MessageContext(
            incoming.MessageId,
            incoming.MessageType,
            incoming.Key,
            incoming.Headers,
            delivery.Attempt,
            consumer.Source,
            consumer.Name,
            TraceHeaders.Read(incoming.Headers));

        // Once the handler has started, whatever fails (the handler, the sequence check, saving their
        // changes, the commit) is the delivery's failure; before it, the database's.
        var started = false;
        var numbered = Numbered(consumer, incoming);
        SequenceOutcome? sequence = null;
        try
        {
            var handled = await store.HandleOnceAsync(
                incoming.MessageId,
                consumer.Name,
                async (services, ct) =>
                {
                    started = true;
                    if (numbered is var (source, key, number))
                    {
                        var ledger = (ISequenceLedger?)services.GetService(typeof(ISequenceLedger))
                            ?? throw new InvalidOperationException($"Consumer '{consumer.Name}' checks sequence numbers, and the store registered no ISequenceLedger.");
                        sequence = await ledger.RecordAsync(consumer.Name, source, key, number, timeProvider.GetUtcNow().UtcDateTime, ct).ConfigureAwait(false);
                    }

                    await consumer.InvokeAsync(services, message, context, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            return handled ? InboxOutcome.Handled with { Sequence = sequence } : InboxOutcome.Duplicate;
        }
        catch (Exception ex) when (started && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            return InboxOutcome.Failed(ex);
        }
    }

    // The producer, key and number of a message the consumer checks; a message without them (another
    // producer's, or one with no key) is handled as any other.
    private (string Source, string Key, long Number)? Numbered(ConsumerRegistration consumer, TransportMessage message) =>
        (consumer.CheckSequence ?? options.Value.Consumers.CheckSequence)
        && message.Key is { } key
        && message.Headers.TryGetValue(TransportMessage.SourceHeader, out var source)
        && message.Headers.TryGetValue(TransportMessage.SequenceHeader, out var text)
        && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
        && number > 0
            ? (source, key, number)
            : null;
}
