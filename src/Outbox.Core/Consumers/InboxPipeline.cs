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
internal sealed class InboxPipeline(IInboxStore store, IMessageSerializer serializer, IOptions<OutboxOptions> options) : IInboxPipeline
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

        // Once the handler has started, whatever fails (the handler, saving its changes, the commit) is
        // the delivery's failure; before it, the database's.
        var started = false;
        try
        {
            var handled = await store.HandleOnceAsync(
                incoming.MessageId,
                consumer.Name,
                (services, ct) =>
                {
                    started = true;
                    return consumer.InvokeAsync(services, message, context, ct);
                },
                cancellationToken).ConfigureAwait(false);
            return handled ? InboxOutcome.Handled : InboxOutcome.Duplicate;
        }
        catch (Exception ex) when (started && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            return InboxOutcome.Failed(ex);
        }
    }
}
