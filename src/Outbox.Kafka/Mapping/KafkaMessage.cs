using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using Outbox.Transport;

namespace Outbox.Kafka.Mapping;

/// <summary>
/// Maps a <see cref="TransportMessage"/> to a Kafka record and back, in a form any Kafka client reads:
/// the key is the record key (UTF-8), the body its value, the creation time its timestamp, and the
/// message id, type, content type, trace context and application headers are UTF-8 string headers.
/// </summary>
internal static class KafkaMessage
{
    /// <summary>The header carrying the message id.</summary>
    public const string MessageIdHeader = "message-id";

    /// <summary>The header carrying the registered message type name.</summary>
    public const string MessageTypeHeader = "message-type";

    /// <summary>The header carrying the body's media type.</summary>
    public const string ContentTypeHeader = "content-type";

    public static Message<byte[]?, byte[]> ToRecord(TransportMessage message)
    {
        var headers = new Headers
        {
            { MessageIdHeader, Encoding.UTF8.GetBytes(message.MessageId.ToString()) },
            { MessageTypeHeader, Encoding.UTF8.GetBytes(message.MessageType) },
            { ContentTypeHeader, Encoding.UTF8.GetBytes(message.ContentType) },
        };
        foreach (var (name, value) in message.Headers)
        {
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        }

        return new Message<byte[]?, byte[]>
        {
            Key = message.Key is null ? null : Encoding.UTF8.GetBytes(message.Key),
            Value = ArrayOf(message.Body),
            Timestamp = new Timestamp(message.CreatedAt),
            Headers = headers,
        };
    }

    /// <summary>The message a record carries.</summary>
    /// <param name="record">The consumed record.</param>
    /// <param name="hasMessageId">
    /// Whether the record carried a message id. Without one its id is made from its topic, partition and
    /// offset, so that a redelivery of it is still recognised as a duplicate.
    /// </param>
    public static TransportMessage FromRecord(ConsumeResult<byte[]?, byte[]?> record, out bool hasMessageId)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        string? id = null, type = null, contentType = null;
        foreach (var header in record.Message.Headers ?? [])
        {
            var value = Encoding.UTF8.GetString(header.GetValueBytes() ?? []);
            switch (header.Key)
            {
                case MessageIdHeader:
                    id = value;
                    break;
                case MessageTypeHeader:
                    type = value;
                    break;
                case ContentTypeHeader:
                    contentType = value;
                    break;
                default:
                    headers[header.Key] = value;
                    break;
            }
        }

        hasMessageId = !string.IsNullOrEmpty(id);
        return new TransportMessage(
            MessageIdOf(hasMessageId ? id! : $"{record.Topic}/{record.Partition.Value}/{record.Offset.Value}"),
            record.Topic,
            type ?? "",
            record.Message.Key is { } key ? Encoding.UTF8.GetString(key) : null,
            record.Message.Value ?? [],
            contentType ?? "application/octet-stream",
            headers,
            record.Message.Timestamp.Type == TimestampType.NotAvailable ? DateTimeOffset.UnixEpoch : record.Message.Timestamp.UtcDateTime);
    }

    // Ids written by other producers need not be GUIDs: the same text always gives the same id.
    private static Guid MessageIdOf(string id)
    {
        if (Guid.TryParse(id, out var guid))
        {
            return guid;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        return new Guid(hash[..16]);
    }

    // The producer takes arrays: a body that is a whole array is passed as it is.
    private static byte[] ArrayOf(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToArray();
}
