namespace Outbox.RabbitMQ.Configuration;

/// <summary>How the outbox talks to RabbitMQ (<c>Outbox:RabbitMQ</c>).</summary>
public sealed class RabbitMQOptions
{
    /// <summary>The broker, as <c>amqp://user:password@host:port/vhost</c> (<c>amqps://</c> for TLS). The password never appears in logs or errors.</summary>
    /// <value>The default is <c>amqp://guest:guest@localhost:5672/</c>.</value>
    public string Uri { get; set; } = RabbitMQDefaults.Uri;

    /// <summary>The exchange every message is published to, with its destination as the routing key. Declared durable at start-up.</summary>
    /// <value>The default is <c>outbox</c>.</value>
    public string Exchange { get; set; } = RabbitMQDefaults.Exchange;

    /// <summary>The type of the exchanges the outbox declares: <c>topic</c>, <c>direct</c> or <c>fanout</c>.</summary>
    /// <value>The default is <c>topic</c>.</value>
    public string ExchangeType { get; set; } = RabbitMQDefaults.ExchangeType;

    /// <summary>
    /// When <see langword="true"/>, each destination is an exchange of its own (declared when first used),
    /// instead of a routing key on <see cref="Exchange"/>; the routing key is still the destination.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool ExchangePerDestination { get; set; }

    /// <summary>
    /// Whether a send waits for the broker's confirmation. Turned off, a message the broker drops or
    /// cannot route counts as sent: the outbox no longer guarantees delivery.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool PublisherConfirms { get; set; } = true;

    /// <summary>Unacknowledged deliveries each consumer holds at once (<c>basic.qos</c>).</summary>
    /// <value>The default is 32.</value>
    public ushort PrefetchCount { get; set; } = RabbitMQDefaults.PrefetchCount;

    /// <summary>Whether consumer queues are declared as quorum queues (replicated; they count deliveries, so a message that crashes its consumer still reaches the dead-letter table).</summary>
    /// <value>The default is <see langword="false"/>: classic durable queues.</value>
    public bool QuorumQueues { get; set; }

    /// <summary>
    /// Whether consumer queues are declared with <c>x-single-active-consumer</c>: of the instances reading
    /// one consumer's queue, one at a time receives, and another takes over when it goes away. This
    /// keeps a consumer's per-key order across instances, at the throughput of one instance. Without
    /// it, instances share the queue's messages and no order holds between them.
    /// </summary>
    /// <value>The default is <see langword="false"/>. An existing queue keeps its arguments: changing this needs the queue deleted or renamed.</value>
    public bool SingleActiveConsumer { get; set; }

    /// <summary>How long opening a connection may take before start-up fails.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan ConnectionTimeout { get; set; } = RabbitMQDefaults.ConnectionTimeout;

    /// <summary>Shortest wait between two attempts to reconnect after the connection was lost. Rows stay pending meanwhile.</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan RecoveryInterval { get; set; } = RabbitMQDefaults.RecoveryInterval;

    /// <summary>TLS settings.</summary>
    public RabbitMQTlsOptions Tls { get; set; } = new();
}
