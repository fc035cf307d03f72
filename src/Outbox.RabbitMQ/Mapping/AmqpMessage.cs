using System.Text;
using Outbox.Transport;
using RabbitMQ.Client;

namespace Outbox.RabbitMQ.Mapping;

/// <summary>
/// Maps a <see cref="TransportMessage"/> to AMQP 0-9-1 properties and back, in a form any RabbitMQ
/// client reads: message id, type, content type, correlation id, timestamp and persistent delivery
/// are properties; the key, the W3C trace context and application headers are string headers.
/// </summary>
internal static class AmqpMessage
{
    /// <summary>The header carrying the message key.</summary>
    public const string KeyHeader = "outbox-key";

    /// <summary>The header carrying the delivery attempt of a message the consumer delayed.</summary>
    public const string AttemptHeader = "outbox-attempt";

    // Added by quorum queues on every redelivery.
    private const string DeliveryCountHeader = "x-delivery-count";

    public static BasicProperties ToProperties(TransportMessage message, int? attempt = null)
    {
        var headers = new Dictionary<string, object?>(message.Headers.Count + 2, StringComparer.Ordinal);
        foreach (var (name, value) in message.Headers)
        {
            headers[name] = value;
        }

        if (message.Key is not null)
        {
            headers[KeyHeader] = message.Key;
        }

        if (attempt is not null)
        {
            headers[AttemptHeader] = attempt.Value;
        }

        return new BasicProperties
        {
            MessageId = message.MessageId.ToString(),
            Type = message.MessageType,
            ContentType = message.ContentType,
            CorrelationId = message.Headers.GetValueOrDefault(TransportMessage.CorrelationIdHeader),
            Timestamp = new AmqpTimestamp(message.CreatedAt.ToUnixTimeSeconds()),
            DeliveryMode = DeliveryModes.Persistent,
            Headers = headers,
        };
    }

    /// <summary>
    /// The message a delivery carries; <paramref name="body"/> is copied, since the client reuses its buffer.
    /// Header values are read strictly: the key must be text (an AMQP long string) in UTF-8, or the message
    /// has a <see cref="TransportMessage.Defect"/>; an application header that is a table, an array or bytes
    /// is left out, numbers and booleans become text; the outbox's own headers count only as text.
    /// </summary>
    /// <param name="source">The consumer's source, reported as the destination (a delayed message comes back through the default exchange).</param>
    /// <param name="properties">The delivery's properties.</param>
    /// <param name="body">The delivery's body.</param>
    /// <param name="hasMessageId">Whether the message carried an id; without one its id is made from its content (<see cref="MessageFields.IdOf(IEnumerable{ReadOnlyMemory{byte}})"/>).</param>
    public static TransportMessage FromDelivery(string source, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, out bool hasMessageId)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null, defect = null;
        foreach (var (name, value) in properties.Headers ?? new Dictionary<string, object?>())
        {
            if (name == KeyHeader)
            {
                key = StrictText(value, name, ref defect) ?? Text(value);
            }
            else if (name is "message-id" or "message-type" or "content-type")
            {
                // Kafka's names for what AMQP keeps in properties: harmless when they agree, a conflict when not.
                var property = name switch { "message-id" => properties.MessageId, "message-type" => properties.Type, _ => properties.ContentType };
                if (Text(value) != property)
                {
                    defect ??= $"the {name} header ('{Shorten(Text(value))}') differs from the message's AMQP property ('{Shorten(property)}')";
                }
            }
            else if (name != AttemptHeader && !name.StartsWith("x-", StringComparison.Ordinal)
                && (MessageFields.IsReserved(name) ? value is byte[] bytes && MessageFields.TryReadText(bytes, out _) : true)
                && Text(value) is { } text)
            {
                headers[name] = text;
            }
        }

        if (properties.CorrelationId is { } correlationId)
        {
            headers.TryAdd(TransportMessage.CorrelationIdHeader, correlationId);
        }

        hasMessageId = !string.IsNullOrEmpty(properties.MessageId);
        var type = properties.Type ?? "";
        var contentType = properties.ContentType ?? "application/octet-stream";
        var createdAt = properties.IsTimestampPresent() && properties.Timestamp.UnixTime is >= MinSeconds and <= MaxSeconds
            ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime)
            : DateTimeOffset.UnixEpoch;
        var id = hasMessageId ? MessageFields.IdOf(properties.MessageId!) : MessageFields.IdOf(Identity(type, key, contentType, createdAt, headers, body));
        return new TransportMessage(id, source, type, key, body.ToArray(), contentType, headers, createdAt) { Defect = defect };
    }

    /// <summary>
    /// A message whose properties could not be read at all, to be set aside: its id made from its body, its
    /// defect the reason.
    /// </summary>
    public static TransportMessage Unreadable(string source, ReadOnlyMemory<byte> body, Exception error) =>
        new(MessageFields.IdOf([body]), source, "", null, body.ToArray(), "application/octet-stream", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch)
        {
            Defect = $"the message's properties could not be read: {error.Message}",
        };

    /// <summary>
    /// Which delivery of the message this is: the attempt the consumer recorded when it delayed it, plus the
    /// broker's redeliveries. A recorded attempt below 1 or a negative count is not one the outbox or the
    /// broker writes, and is ignored.
    /// </summary>
    public static int AttemptOf(IReadOnlyBasicProperties properties, bool redelivered)
    {
        var recorded = Number(Header(properties, AttemptHeader)) is >= 1 and var number ? number : 1;
        var redeliveries = Number(Header(properties, DeliveryCountHeader)) is >= 0 and var count ? count : (redelivered ? 1 : 0);
        return (int)Math.Min(int.MaxValue, recorded + Math.Min(redeliveries, int.MaxValue));
    }

    private const long MinSeconds = -62_135_596_800; // 0001-01-01
    private const long MaxSeconds = 253_402_300_799; // 9999-12-31

    private static object? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out var value) ? value : null;

    // What every delivery of an id-less message repeats: its properties, the headers the outbox keeps and the body.
    private static IEnumerable<ReadOnlyMemory<byte>> Identity(
        string type, string? key, string contentType, DateTimeOffset createdAt, Dictionary<string, string> headers, ReadOnlyMemory<byte> body)
    {
        yield return Encoding.UTF8.GetBytes(type);
        yield return Encoding.UTF8.GetBytes(key ?? "\0");
        yield return Encoding.UTF8.GetBytes(contentType);
        yield return BitConverter.GetBytes(createdAt.ToUnixTimeSeconds());
        foreach (var (name, value) in headers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            yield return Encoding.UTF8.GetBytes(name);
            yield return Encoding.UTF8.GetBytes(value);
        }

        yield return body;
    }

    // The key: an AMQP long string (bytes, in the client) of valid UTF-8; anything else is a defect.
    private static string? StrictText(object? value, string name, ref string? defect)
    {
        if (value is byte[] bytes)
        {
            if (MessageFields.TryReadText(bytes, out var text))
            {
                return text;
            }

            defect ??= $"the {name} header is not valid UTF-8";
            return text;
        }

        defect ??= $"the {name} header is {Kind(value)}, not text";
        return null;
    }

    private static string Kind(object? value) => value switch
    {
        null => "empty (void)",
        BinaryTableValue => "a byte array",
        IDictionary<string, object?> => "a table",
        System.Collections.IList => "an array",
        AmqpTimestamp => "a timestamp",
        _ => $"a {value.GetType().Name}",
    };

    // Application headers as text: long strings, numbers, booleans and timestamps; tables, arrays and byte arrays are not text.
    private static string? Text(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        bool flag => flag ? "true" : "false",
        AmqpTimestamp timestamp => timestamp.UnixTime.ToString(System.Globalization.CultureInfo.InvariantCulture),
        sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal =>
            Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string Shorten(string? text) => text is null ? "" : MessageFields.Storable(text.Length <= 60 ? text : text[..60]);

    private static long? Number(object? value) => value switch
    {
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        byte[] bytes when long.TryParse(Encoding.UTF8.GetString(bytes), out var parsed) => parsed,
        _ => null,
    };
}
