namespace Outbox.RabbitMQ.Configuration;

/// <summary>TLS for the connection to the broker (<c>Outbox:RabbitMQ:Tls</c>).</summary>
public sealed class RabbitMQTlsOptions
{
    /// <summary>Whether to connect with TLS. An <c>amqps://</c> URI turns it on as well.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Enabled { get; set; }

    /// <summary>The name the server certificate must carry.</summary>
    /// <value>The default is <see langword="null"/>: the URI's host.</value>
    public string? ServerName { get; set; }
}
