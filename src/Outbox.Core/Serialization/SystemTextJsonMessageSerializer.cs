using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Outbox.Serialization;

/// <summary>
/// JSON with System.Text.Json's web defaults: a tolerant reader, as other .NET messaging libraries read,
/// so that a producer may add members before its consumers know them. With <c>Outbox:Consumers:StrictBodies</c>,
/// a body with a member the type does not have, without a required member, or with null for a member that
/// is not nullable is refused, and the consumer dead-letters it as <c>malformed-message</c>.
/// </summary>
internal sealed class SystemTextJsonMessageSerializer(IOptions<OutboxOptions> options) : IMessageSerializer
{
    private static readonly JsonSerializerOptions Tolerant = new(JsonSerializerDefaults.Web);

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    public string ContentType => "application/json";

    public byte[] Serialize(object message, Type type) => JsonSerializer.SerializeToUtf8Bytes(message, type, Tolerant);

    public object Deserialize(ReadOnlySpan<byte> body, Type type) =>
        JsonSerializer.Deserialize(body, type, options.Value.Consumers.StrictBodies ? Strict : Tolerant)
        ?? throw new JsonException($"The body of a '{type.Name}' message is the JSON literal null.");
}
