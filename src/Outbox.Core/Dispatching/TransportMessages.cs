using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.Dispatching;

internal static class TransportMessages
{
    public static TransportMessage From(StoredMessage message, string contentType) => new(
        message.MessageId,
        message.Destination,
        message.MessageType,
        message.Key,
        message.Body,
        contentType,
        message.Headers,
        message.CreatedAt);
}
