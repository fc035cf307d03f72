namespace Outbox.Serialization;

/// <summary>Turns messages into bytes and back. The default uses System.Text.Json.</summary>
public interface IMessageSerializer
{
    /// <summary>The media type of what <see cref="Serialize"/> writes, for example <c>application/json</c>.</summary>
    string ContentType { get; }

    /// <summary>Serializes <paramref name="message"/> as <paramref name="type"/>.</summary>
    byte[] Serialize(object message, Type type);

    /// <summary>Reads a message of <paramref name="type"/>.</summary>
    object Deserialize(ReadOnlySpan<byte> body, Type type);
}
