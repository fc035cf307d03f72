namespace Outbox.Kafka.Configuration;

/// <summary>How the outbox talks to Kafka (<c>Outbox:Kafka</c>).</summary>
/// <remarks>
/// Every librdkafka property (<c>linger.ms</c>, <c>security.protocol</c>, <c>sasl.password</c>, ...) passes
/// through <see cref="Client"/>, <see cref="Producer"/> or <see cref="Consumer"/>. The outbox owns the
/// settings its guarantees rest on: the producer is idempotent with <c>acks=all</c>, the consumer never
/// commits offsets by itself, and each consumer's group is its name. Start-up names any setting that
/// would weaken them. Values of secret settings never appear in logs or errors.
/// </remarks>
public sealed class KafkaOptions
{
    /// <summary>
    /// The brokers to bootstrap from, as <c>host:port</c> pairs separated by commas; or <c>mock</c>, in the
    /// Development environment only, for librdkafka's mock cluster: a broker started inside this process, shared
    /// by every service it hosts, whose topics and offsets are gone when the process ends.
    /// </summary>
    /// <value>The default is <c>localhost:9092</c>.</value>
    public string BootstrapServers { get; set; } = KafkaDefaults.BootstrapServers;

    /// <summary>librdkafka properties for every client: the producer, the consumers and the admin client (security, SASL, TLS, client id).</summary>
    /// <value>The default is empty.</value>
    public IDictionary<string, string> Client { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>librdkafka properties for the producer (<c>linger.ms</c>, <c>compression.type</c>, ...); they override <see cref="Client"/>.</summary>
    /// <value>
    /// The default is empty, on top of what the outbox sets: <c>enable.idempotence=true</c> and <c>acks=all</c>
    /// (fixed); <c>allow.auto.create.topics=false</c>, so that a message to a topic that does not exist is
    /// unroutable rather than creating it (set it to <c>true</c> to let brokers that allow it create topics);
    /// and <c>message.timeout.ms</c> = <c>Outbox:Dispatch:AttemptTimeout</c> (5 seconds), so that a message the
    /// dispatcher gave up on is not also sent later.
    /// </value>
    public IDictionary<string, string> Producer { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>librdkafka properties for the consumers (<c>session.timeout.ms</c>, <c>fetch.max.bytes</c>, ...); they override <see cref="Client"/>.</summary>
    /// <value>
    /// The default is empty, on top of what the outbox sets: <c>enable.auto.commit=false</c> and <c>group.id</c>
    /// (fixed), and <c>auto.offset.reset=earliest</c>, so that a new consumer reads what its topic holds.
    /// </value>
    public IDictionary<string, string> Consumer { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How long start-up waits for the cluster to answer before it fails.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan ConnectionTimeout { get; set; } = KafkaDefaults.ConnectionTimeout;
}
