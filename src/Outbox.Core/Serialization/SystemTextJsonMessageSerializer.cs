using System.Text.Json;

namespace Outbox.Serialization;

internal sealed class SystemTextJsonMessageSerializer : IMessageSerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public string ContentType => "application/json";

    public byte[] Serialize(object message, Type type) => JsonSerializer.SerializeToUtf8Bytes(message, type, Options);

    public object Deserialize(ReadOnlySpan<byte> body, Type type) =>
        JsonSerializer.Deserialize(body, type, Options)
        ?? throw new JsonException($"The body of a '{type.Name}' message is the JSON literal null.");
}
