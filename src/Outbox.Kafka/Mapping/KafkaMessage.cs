using System.Runtime.InteropServices;
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

    /// <summary>
    /// The message a record carries. The id, type, key and content type are read strictly: each reserved
    /// header at most once, and UTF-8; otherwise the message has a <see cref="TransportMessage.Defect"/> naming
    /// the header. Application headers are read as UTF-8 (invalid bytes as U+FFFD); of one given twice, the last.
    /// </summary>
    /// <param name="record">The consumed record.</param>
    /// <param name="hasMessageId">
    /// Whether the record carried a message id. Without one its id is made from its topic, partition and
    /// offset, so that a redelivery of it is still recognised as a duplicate.
    /// </param>
    public static TransportMessage FromRecord(ConsumeResult<byte[]?, byte[]?> record, out bool hasMessageId)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var reserved = new HashSet<string>(StringComparer.Ordinal);
        string? id = null, type = null, contentType = null, defect = null;
        foreach (var header in record.Message.Headers ?? [])
        {
            var bytes = header.GetValueBytes() ?? [];
            if (!MessageFields.IsReserved(header.Key))
            {
                headers[header.Key] = Encoding.UTF8.GetString(bytes);
                continue;
            }

            if (!reserved.Add(header.Key))
            {
                defect ??= $"the {header.Key} header appears more than once";
            }

            if (!MessageFields.TryReadText(bytes, out var value))
            {
                defect ??= $"the {header.Key} header is not valid UTF-8";
            }

            switch (header.Key)
            {
                case MessageIdHeader:
                    id ??= value;
                    break;
                case MessageTypeHeader:
                    type ??= value;
                    break;
                case ContentTypeHeader:
                    contentType ??= value;
                    break;
                default:
                    headers.TryAdd(header.Key, value);
                    break;
            }
        }

        string? key = null;
        if (record.Message.Key is { } keyBytes && !MessageFields.TryReadText(keyBytes, out key))
        {
            defect ??= "the record key is not valid UTF-8";
        }

        hasMessageId = !string.IsNullOrEmpty(id);
        return new TransportMessage(
            hasMessageId ? MessageFields.IdOf(id!) : PositionId(record),
            record.Topic,
            type ?? "",
            key,
            record.Message.Value ?? [],
            contentType ?? "application/octet-stream",
            headers,
            CreatedAt(record.Message.Timestamp))
        {
            Defect = defect,
        };
    }

    /// <summary>A record whose headers could not be read at all, to be set aside: its id made from its position, its defect the reason.</summary>
    public static TransportMessage Unreadable(ConsumeResult<byte[]?, byte[]?> record, Exception error) =>
        new(PositionId(record), record.Topic, "", null, record.Message?.Value ?? [], "application/octet-stream", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch)
        {
            Defect = $"the record could not be read: {error.Message}",
        };

    private static Guid PositionId(ConsumeResult<byte[]?, byte[]?> record) =>
        MessageFields.IdOf([Encoding.UTF8.GetBytes(record.Topic), BitConverter.GetBytes(record.Partition.Value), BitConverter.GetBytes(record.Offset.Value)]);

    // A timestamp outside what a DateTimeOffset holds is no time at all.
    private static DateTimeOffset CreatedAt(Timestamp timestamp) =>
        timestamp.Type == TimestampType.NotAvailable || timestamp.UnixTimestampMs is < -62_135_596_800_000 or > 253_402_300_799_999
            ? DateTimeOffset.UnixEpoch
            : DateTimeOffset.FromUnixTimeMilliseconds(timestamp.UnixTimestampMs);

    // The producer takes arrays: a body that is a whole array is passed as it is.
    private static byte[] ArrayOf(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToArray();
}
