namespace Outbox.Transport;

/// <summary>Settings of the <see cref="InMemoryTransport"/>.</summary>
public sealed class InMemoryTransportOptions
{
    /// <summary>
    /// Reports a message to a destination nobody subscribed to as unroutable, as a broker does for a
    /// mandatory message that no queue is bound for.
    /// </summary>
    /// <value>The default is <see langword="false"/>: every message is accepted.</value>
    public bool Mandatory { get; set; }
}
