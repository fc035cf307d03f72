using Microsoft.Extensions.Options;
using Outbox.Configuration;
using Outbox.Publishing;

namespace Outbox;

/// <summary>Settings of the outbox, bound from the <c>Outbox</c> configuration section.</summary>
public sealed class OutboxOptions
{
    /// <summary>The name this instance leases rows under. Must differ between running instances.</summary>
    /// <value>The default is the machine name, the process id and a random suffix.</value>
    public string? InstanceId { get; set; }

    /// <summary>The largest serialized message, in bytes, that may be published.</summary>
    /// <value>The default is 1 MiB (1,048,576).</value>
    [SettingRange(1, int.MaxValue)]
    public int MaxPayloadBytes { get; set; } = OutboxDefaults.MaxPayloadBytes;

    /// <summary>
    /// Whether the host refuses to start while a broker it uses cannot be reached. Off, a service starts
    /// through a broker outage: it commits messages to the outbox as always, reports the transport
    /// unhealthy, logs one warning, and relays the backlog once the broker answers. A broker that refuses the
    /// credentials or the settings stops the start either way.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool RequireBrokerAtStart { get; set; }

    /// <summary>
    /// The name of the transport messages are sent through, and consumers read from unless they name
    /// another: <c>InMemory</c>, <c>RabbitMQ</c>, or a name given to <c>UseTransport</c>. Switching
    /// transport is then a change of configuration (<c>Outbox__Transport=RabbitMQ</c>).
    /// </summary>
    /// <value>The default is the only transport registered; with several, it must be set.</value>
    public string? Transport { get; set; }

    /// <summary>
    /// Destinations by message type name (<c>Outbox:Routes:OrderPlaced = orders.placed</c>, or the object
    /// form <c>{ "Destination": "orders.placed", "Transport": "RabbitMQ", "Sequenced": true }</c>). Entries here override the
    /// destinations given to <see cref="Route{TMessage}(string, string?, string?, bool)"/>.
    /// </summary>
    public IDictionary<string, string> Routes { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Transports by message type name, for types sent through another transport than <see cref="Transport"/>
    /// (<c>Outbox:Routes:OrderPlaced:Transport</c>, or <c>Route&lt;T&gt;(…, transport: …)</c>).
    /// One outbox table can so feed two brokers.
    /// </summary>
    public IDictionary<string, string> RouteTransports { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Message type names whose messages are numbered (<c>Outbox:Routes:OrderPlaced:Sequenced</c>, or
    /// <c>Route&lt;T&gt;(…, sequenced: true)</c>): each keyed message gets the next number of its destination
    /// and key in the <c>outbox-seq</c> header, in its transaction, and <see cref="ServiceName"/> in <c>outbox-source</c>.
    /// </summary>
    public ISet<string> SequencedTypes { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>This service's stable name, sent as <c>outbox-source</c> on numbered messages so that consumers tell producers apart.</summary>
    /// <value>The default is the application's name (<c>IHostEnvironment.ApplicationName</c>, the entry assembly's name).</value>
    public string? ServiceName { get; set; }

    /// <summary>The dispatcher.</summary>
    [ValidateObjectMembers]
    public DispatchOptions Dispatch { get; } = new();

    /// <summary>Resolution of prepared (half) rows.</summary>
    [ValidateObjectMembers]
    public TransactionOptions Transactions { get; } = new();

    /// <summary>Deletion of finished rows.</summary>
    [ValidateObjectMembers]
    public RetentionOptions Retention { get; } = new();

    /// <summary>Thresholds of the health checks.</summary>
    [ValidateObjectMembers]
    public HealthOptions Health { get; } = new();

    /// <summary>Settings shared by every consumer.</summary>
    [ValidateObjectMembers]
    public Outbox.ConsumersOptions Consumers { get; } = new();

    internal MessageTypeRegistry MessageTypes { get; } = new();

    /// <summary>Registers <typeparamref name="TMessage"/> and the destination its messages are sent to.</summary>
    /// <param name="destination">The routing key or topic.</param>
    /// <param name="typeName">The type name on the wire; the default is the class name.</param>
    /// <param name="transport">The registered transport its messages go through; the default is <see cref="Transport"/>.</param>
    /// <param name="sequenced">Whether its keyed messages are numbered per destination and key (see <see cref="SequencedTypes"/>).</param>
    /// <returns>These options, for chaining.</returns>
    public OutboxOptions Route<TMessage>(string destination, string? typeName = null, string? transport = null, bool sequenced = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var name = MessageTypes.Add(typeof(TMessage), typeName);
        Routes.TryAdd(name, destination);
        if (transport is not null)
        {
            RouteTransports.TryAdd(name, transport);
        }

        if (sequenced)
        {
            SequencedTypes.Add(name);
        }

        return this;
    }

    /// <summary>Registers <typeparamref name="TMessage"/> under a wire name without a route (give the destination per message).</summary>
    /// <param name="typeName">The type name on the wire.</param>
    /// <returns>These options, for chaining.</returns>
    public OutboxOptions AddMessageType<TMessage>(string typeName)
    {
        MessageTypes.Add(typeof(TMessage), typeName);
        return this;
    }
}
