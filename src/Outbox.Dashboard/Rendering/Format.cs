using System.Globalization;
using System.Text;
using Outbox.Storage;

namespace Outbox.Dashboard.Rendering;

/// <summary>Values as the pages show them.</summary>
internal static class Format
{
    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";

    public static string Time(DateTime? at) => Time(at is { } utc ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)) : null);

    public static string Age(TimeSpan age) => age.TotalSeconds < 1 ? "0 s"
        : age.TotalMinutes < 2 ? $"{age.TotalSeconds:0} s"
        : age.TotalHours < 2 ? $"{age.TotalMinutes:0} min"
        : $"{age.TotalHours:0.#} h";

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

    /// <summary>The state of a message in the words the dashboard and the CLI use.</summary>
    /// <summary>
    /// Where a message goes: its destination, and for a consumer's dead letter requeued, that it goes to that
    /// consumer only (its type may be one this service never publishes: it is another service's message, handed back).
    /// </summary>
    public static string Destination(StoredMessage message) =>
        message.Headers.TryGetValue(Outbox.Transport.TransportMessage.ConsumerHeader, out var consumer)
            ? $"{message.Destination}, to consumer {consumer} only (its dead letter, requeued)"
            : message.Destination;

    public static string State(StoredMessage message) => (message.Status, message.Kind) switch
    {
        (MessageStatus.Prepared, MessageKind.Transactional) => "half",
        (MessageStatus.Prepared, _) => "being sent",
        (MessageStatus.Pending, _) => "pending",
        (MessageStatus.Dispatched, _) => "sent",
        _ => "rolled back",
    };
}
