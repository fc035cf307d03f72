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
internal sealed class InboxPipeline(
    IOutboxStore store, IMessageSerializer serializer, SequenceHolds holds, IOptions<OutboxOptions> options, TimeProvider timeProvider) : IInboxPipeline
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
        var numbered = SequenceCheck.Of(consumer, incoming, options.Value.Consumers);
        SequenceOutcome? sequence = null;
        try
        {
            var handled = await store.Inbox.HandleOnceAsync(
                incoming.MessageId,
                consumer.Name,
                async (services, ct) =>
                {
                    started = true;
                    if (numbered is { } number)
                    {
                        sequence = await SequenceCheck.RecordAsync(store.Sequences(services), consumer, incoming, number, timeProvider.GetUtcNow(), ct).ConfigureAwait(false);
                        if (sequence.Value.Verdict == SequenceVerdict.Gap && HoldOnGap(consumer, incoming.MessageId) is { } hold)
                        {
                            throw new HeldException(hold); // rolls the check and the inbox row back
                        }
                    }

                    await consumer.InvokeAsync(services, message, context, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);

            // Committed (or a duplicate): no longer held. One whose handler fails stays known, so that once
            // its hold has timed out its next attempts are not held again.
            if (numbered is not null)
            {
                holds.Release(consumer.Name, incoming.MessageId);
            }

            return handled ? InboxOutcome.Handled with { Sequence = sequence } : InboxOutcome.Duplicate;
        }
        catch (HeldException held)
        {
            return InboxOutcome.Held(sequence!.Value, held.Hold);
        }
        catch (Exception ex) when (started && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            return InboxOutcome.Failed(ex);
        }
    }

    // With OnSequenceGap: Hold, a message after missing numbers waits for them, up to the hold timeout.
    private SequenceHold? HoldOnGap(ConsumerRegistration consumer, Guid messageId)
    {
        var settings = options.Value.Consumers;
        return (consumer.OnSequenceGap ?? settings.OnSequenceGap) == SequenceGapHandling.Hold
            ? holds.Hold(consumer.Name, messageId, settings.SequenceHoldTimeout)
            : null;
    }

    private sealed class HeldException(SequenceHold hold) : Exception("The message waits for the sequence numbers missing before it.")
    {
        public SequenceHold Hold { get; } = hold;
    }
}
