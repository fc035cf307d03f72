using System.Security.Cryptography;
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

    /// <summary>The message a delivery carries; <paramref name="body"/> is copied, since the client reuses its buffer.</summary>
    /// <param name="source">The consumer's source, reported as the destination (a delayed message comes back through the default exchange).</param>
    /// <param name="properties">The delivery's properties.</param>
    /// <param name="body">The delivery's body.</param>
    /// <param name="hasMessageId">Whether the message carried an id; without one it gets a fresh id and no duplicate detection.</param>
    public static TransportMessage FromDelivery(string source, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, out bool hasMessageId)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null;
        foreach (var (name, value) in properties.Headers ?? new Dictionary<string, object?>())
        {
            if (name == KeyHeader)
            {
                key = Text(value);
            }
            else if (name != AttemptHeader && !name.StartsWith("x-", StringComparison.Ordinal) && Text(value) is { } text)
            {
                headers[name] = text;
            }
        }

        if (properties.CorrelationId is { } correlationId)
        {
            headers.TryAdd(TransportMessage.CorrelationIdHeader, correlationId);
        }

        hasMessageId = !string.IsNullOrEmpty(properties.MessageId);
        return new TransportMessage(
            MessageIdOf(properties.MessageId),
            source,
            properties.Type ?? "",
            key,
            body.ToArray(),
            properties.ContentType ?? "application/octet-stream",
            headers,
            properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : DateTimeOffset.UnixEpoch);
    }

    /// <summary>Which delivery of the message this is: the attempt the consumer recorded when it delayed it, plus the broker's redeliveries.</summary>
    public static int AttemptOf(IReadOnlyBasicProperties properties, bool redelivered)
    {
        var recorded = Number(Header(properties, AttemptHeader)) ?? 1;
        var redeliveries = Number(Header(properties, DeliveryCountHeader)) ?? (redelivered ? 1 : 0);
        return (int)Math.Min(int.MaxValue, recorded + redeliveries);
    }

    private static object? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out var value) ? value : null;

    // Ids written by other producers need not be GUIDs: the same text always gives the same id, so the inbox still recognises a redelivery.
    private static Guid MessageIdOf(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return Guid.NewGuid();
        }

        if (Guid.TryParse(id, out var guid))
        {
            return guid;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        return new Guid(hash[..16]);
    }

    private static string? Text(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        null => null,
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

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
