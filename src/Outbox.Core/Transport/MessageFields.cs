using System.Security.Cryptography;
using System.Text;

namespace Outbox.Transport;

/// <summary>
/// The rules every store and every transport holds a message's fields to: how long a destination, type
/// or key may be, which header names are the outbox's own, and how a message id is read from what a
/// broker delivers. Publishing refuses what breaks them; a received message that breaks them is set aside
/// in the dead-letter table with the reason, and the consumer moves on.
/// </summary>
public static class MessageFields
{
    /// <summary>The longest destination, message type and key, in characters, that every store holds.</summary>
    public const int MaxLength = 256;

    /// <summary>The prefix of the outbox's own headers (<c>outbox-seq</c>, <c>outbox-consumer</c>, ...).</summary>
    public const string ReservedPrefix = "outbox-";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Whether <paramref name="header"/> is a name the outbox or a transport writes itself: those starting
    /// with <see cref="ReservedPrefix"/>, and <c>message-id</c>, <c>message-type</c> and <c>content-type</c>
    /// (Kafka's record headers for the id, the type and the body's media type). An application cannot publish them.
    /// </summary>
    /// <param name="header">The header's name.</param>
    /// <returns><see langword="true"/> for a reserved name.</returns>
    public static bool IsReserved(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return header.StartsWith(ReservedPrefix, StringComparison.Ordinal) || header is "message-id" or "message-type" or "content-type";
    }

    /// <summary>Why <paramref name="value"/> cannot be stored as the field <paramref name="field"/>, or <see langword="null"/> when it can.</summary>
    /// <param name="field">The field, for the message: <c>key</c>, <c>message type</c>, <c>destination</c>.</param>
    /// <param name="value">The value; <see langword="null"/> is fine.</param>
    /// <returns>A sentence naming the field and the limit, or <see langword="null"/>.</returns>
    public static string? Problem(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > MaxLength)
        {
            return $"the {field} is {value.Length} characters long; at most {MaxLength} can be stored";
        }

        return value.Contains('\0', StringComparison.Ordinal) ? $"the {field} contains a NUL character, which cannot be stored" : null;
    }

    /// <summary>
    /// <paramref name="value"/> made storable, to record a message that breaks the rules: each NUL shown as
    /// <c>\0</c>, and cut to <see cref="MaxLength"/> characters (never inside a surrogate pair).
    /// </summary>
    /// <param name="value">The value as received.</param>
    /// <returns>A value every store holds.</returns>
    public static string Storable(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Replace("\0", "\\0", StringComparison.Ordinal);
        if (text.Length <= MaxLength)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return text[..cut];
    }

    /// <summary>
    /// Reads UTF-8 text strictly, for the fields the outbox acts on (id, type, key): <see langword="false"/>
    /// when <paramref name="bytes"/> are not valid UTF-8, with <paramref name="text"/> then a lenient reading
    /// (invalid bytes as U+FFFD) to record.
    /// </summary>
    /// <param name="bytes">The bytes as received.</param>
    /// <param name="text">The text.</param>
    /// <returns>Whether the bytes were valid UTF-8.</returns>
    public static bool TryReadText(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = Encoding.UTF8.GetString(bytes);
            return false;
        }
    }

    /// <summary>
    /// The message id a received id stands for: a GUID as it is; any other text (ids written by other
    /// producers need not be GUIDs) hashed, so that the same text always gives the same id and the inbox
    /// recognises a redelivery.
    /// </summary>
    /// <param name="id">The id as received.</param>
    /// <returns>The message id.</returns>
    public static Guid IdOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Guid.TryParse(id, out var guid) ? guid : IdOf([Encoding.UTF8.GetBytes(id)]);
    }

    /// <summary>
    /// The id of a message that carried none, made from what the broker gives for every delivery of that
    /// same message (Kafka: topic, partition and offset; RabbitMQ: the message's content), so that the inbox
    /// still recognises a redelivery: SHA-256 of the parts, each prefixed with its length.
    /// </summary>
    /// <param name="parts">What identifies the message.</param>
    /// <returns>The message id.</returns>
    public static Guid IdOf(IEnumerable<ReadOnlyMemory<byte>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, part.Length);
            hash.AppendData(length);
            hash.AppendData(part.Span);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return new Guid(digest[..16]);
    }
}
