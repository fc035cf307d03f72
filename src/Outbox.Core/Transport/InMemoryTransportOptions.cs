namespace Outbox.Transport;

/// <summary>Settings of the <see cref="InMemoryTransport"/>.</summary>
public sealed class InMemoryTransportOptions
{
    /// <summary>
    /// Reports a message to a destination nobody subscribed to as unroutable, as a broker does for a
    /// mandatory message that no queue is bound for.
    /// </summary>
    /// <value>
    /// The default is <see langword="true"/>, as with a broker: a message nobody receives is a failed send,
    /// retried and then dead-lettered, never a silent loss. Set it to <see langword="false"/> to accept and
    /// drop such messages.
    /// </value>
    public bool Mandatory { get; set; } = true;
}
