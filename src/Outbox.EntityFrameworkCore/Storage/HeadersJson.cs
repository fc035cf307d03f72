using System.Collections.ObjectModel;
using System.Text.Json;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>Message headers as the <c>headers</c> column holds them: a JSON object, or null when there are none.</summary>
internal static class HeadersJson
{
    public static string? Write(IReadOnlyDictionary<string, string> headers) =>
        headers.Count == 0 ? null : JsonSerializer.Serialize(headers);

    public static IReadOnlyDictionary<string, string> Read(string? json) =>
        string.IsNullOrEmpty(json)
            ? ReadOnlyDictionary<string, string>.Empty
            : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? (IReadOnlyDictionary<string, string>)ReadOnlyDictionary<string, string>.Empty;
}
