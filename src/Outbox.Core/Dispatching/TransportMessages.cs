using System.Text.Json;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.Dispatching;

internal static class TransportMessages
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    public static TransportMessage From(OutboxRecord record, string contentType) => new(
        record.MessageId,
        record.Destination,
        record.MessageType,
        record.MessageKey,
        record.Payload,
        contentType,
        ParseHeaders(record.Headers),
        new DateTimeOffset(DateTime.SpecifyKind(record.CreatedAt, DateTimeKind.Utc)));

    public static IReadOnlyDictionary<string, string> ParseHeaders(string? json) =>
        string.IsNullOrEmpty(json) ? NoHeaders : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? NoHeaders;
}
