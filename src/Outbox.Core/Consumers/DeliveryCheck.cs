using Microsoft.Extensions.Logging;
using Outbox.Telemetry;
using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>
/// Checks each delivery once, as it arrives from the transport and before anything is stored: the type and
/// the key against what every store holds (<see cref="MessageFields"/>), the body against
/// <c>MaxPayloadBytes</c>, and the attempt against <c>MaxDeliveries</c>. A message that fails is marked with
/// its <see cref="TransportMessage.Defect"/>, its fields made storable, and the consumer sets it aside.
/// </summary>
internal static class DeliveryCheck
{
    public static IDelivery Inspect(IDelivery delivery, string consumer, int maxDeliveries, int maxBodyBytes, ILogger logger)
    {
        var message = delivery.Message;
        var defect = message.Defect
            ?? MessageFields.Problem("message type", message.MessageType)
            ?? MessageFields.Problem("key", message.Key)
            ?? (message.Body.Length > maxBodyBytes ? $"the body is {message.Body.Length} bytes, more than MaxPayloadBytes ({maxBodyBytes})" : null);
        var attempt = delivery.Attempt;
        if (attempt < 1 || attempt > maxDeliveries)
        {
            // Not a count the outbox wrote (it dead-letters at MaxDeliveries): another producer's header.
            Log.AttemptIgnored(logger, consumer, message.MessageId, attempt, maxDeliveries);
            attempt = 1;
        }

        if (defect is null)
        {
            return attempt == delivery.Attempt ? delivery : new CheckedDelivery(delivery, message, attempt);
        }

        var storable = message with
        {
            MessageType = MessageFields.Storable(message.MessageType),
            Key = message.Key is null ? null : MessageFields.Storable(message.Key),
            Defect = defect,
        };
        return new CheckedDelivery(delivery, storable, attempt);
    }
}
