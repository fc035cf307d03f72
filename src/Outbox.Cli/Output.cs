using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Outbox.Cli;

/// <summary>How the commands write: aligned tables and fields for people, indented JSON for scripts.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void WriteJson<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, Json));

    public static void Table(string[] header, IReadOnlyList<string[]> rows)
    {
        rows = [.. rows.Select(row => row.Select(cell => Safe(cell)).ToArray())];
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>Name/value lines, then the headers and the payload.</summary>
    public static void Fields(IEnumerable<(string Name, string? Value)> fields, IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> payload)
    {
        Table(["", ""], [.. fields.Select(f => new[] { f.Name, f.Value ?? "" })]);
        Console.WriteLine();
        Console.WriteLine("headers");
        foreach (var (name, value) in headers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {Safe(name)}: {Safe(value)}");
        }

        Console.WriteLine();
        Console.WriteLine("payload");
        Console.WriteLine(Safe(Payload(payload), keepLines: true));
    }

    /// <summary>
    /// <paramref name="text"/> as it can be written to a terminal: what came from a message (a type, a key, a
    /// header, a payload) may hold escape sequences, which are shown as <c>\x1b</c> instead of being obeyed. Line
    /// breaks and tabs stay in a payload.
    /// </summary>
    public static string Safe(string text, bool keepLines = false)
    {
        if (!text.Any(c => char.IsControl(c) && !(keepLines && c is '\n' or '\t')))
        {
            return text;
        }

        var safe = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = char.IsControl(c) && !(keepLines && c is '\n' or '\t') ? safe.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}") : safe.Append(c);
        }

        return safe.ToString();
    }

    /// <summary>A payload as text when it is UTF-8, else as base64.</summary>
    public static string Payload(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(payload.Span);
        }
        catch (DecoderFallbackException)
        {
            return "base64:" + Convert.ToBase64String(payload.Span);
        }
    }

    public static string Count(int count) => count.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";

    public static string Time(DateTime? at) => Time(at is { } utc ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)) : null);

    public static double Seconds(TimeSpan span) => Math.Max(0, Math.Round(span.TotalSeconds, 1));

    public static string Shorten(string? text) => text is null ? "" : text.Length <= 60 ? text : text[..57] + "...";
}
