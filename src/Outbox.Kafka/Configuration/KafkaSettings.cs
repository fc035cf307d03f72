using Confluent.Kafka;
using Outbox.Kafka.Connection;

namespace Outbox.Kafka.Configuration;

/// <summary>
/// Turns <see cref="KafkaOptions"/> into librdkafka configurations: the user's properties, the outbox's
/// defaults under them and its fixed settings over them. Also says which properties conflict with the
/// fixed settings, and hides secret values in any text.
/// </summary>
/// <param name="options">The user's settings.</param>
/// <param name="brokers">The brokers the clients bootstrap from.</param>
/// <param name="sendTimeout">
/// The dispatcher's time limit of one send (<c>Outbox:Dispatch:AttemptTimeout</c>), librdkafka's
/// <c>message.timeout.ms</c> unless set: a message the dispatcher gave up on and sends again is not also
/// sent later from librdkafka's queue.
/// </param>
internal sealed class KafkaSettings(KafkaOptions options, TimeSpan sendTimeout, KafkaBrokers brokers)
{
    // What the producer's guarantees rest on: no duplicates or reordering across librdkafka's retries, and a
    // message counts as sent only once every in-sync replica has it.
    private static readonly Fixed[] ProducerFixed =
    [
        new("enable.idempotence", "true", ["true"], "it keeps a key's messages in order and without duplicates across retries"),
        new("acks", "all", ["all", "-1"], "a message counts as sent only when every in-sync replica has it"),
    ];

    // Offsets are committed by the outbox, after the handler's transaction, up to the first unfinished message.
    private static readonly Fixed[] ConsumerFixed =
    [
        new("enable.auto.commit", "false", ["false"], "the outbox commits an offset only after the handler's transaction committed"),
    ];


    private static readonly Dictionary<string, string> ConsumerDefaults = new(StringComparer.Ordinal)
    {
        ["auto.offset.reset"] = "earliest",
        ["enable.partition.eof"] = "false",
    };

    // Settings the outbox sets from elsewhere: the options' own property, or the consumer's name.
    private static readonly (string Property, string Instead)[] Owned =
    [
        ("bootstrap.servers", "Outbox:Kafka:BootstrapServers"),
        ("group.id", "the consumer's name, which is its group"),
    ];

    public KafkaOptions Options => options;

    private Dictionary<string, string> ProducerDefaults => new(StringComparer.Ordinal)
    {
        ["allow.auto.create.topics"] = "false",
        ["message.timeout.ms"] = ((long)sendTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The producer's configuration.</summary>
    public ProducerConfig Producer() => new(Build(ProducerDefaults, options.Producer, ProducerFixed));

    /// <summary>The configuration of the consumer <paramref name="group"/>.</summary>
    public ConsumerConfig Consumer(string group)
    {
        var properties = Build(ConsumerDefaults, options.Consumer, ConsumerFixed);
        properties["group.id"] = group;
        return new ConsumerConfig(properties);
    }

    /// <summary>
    /// The admin client's configuration: the brokers and the shared properties, and the producer's
    /// <c>allow.auto.create.topics</c>, so that asking whether a topic exists creates it only when a send
    /// would; or, with <paramref name="creatingTopics"/>, asking for a topic creates it on brokers that allow it.
    /// </summary>
    public AdminClientConfig Admin(bool creatingTopics = false)
    {
        var properties = Build(new Dictionary<string, string>(StringComparer.Ordinal), new Dictionary<string, string>(), []);
        properties["allow.auto.create.topics"] = creatingTopics ? "true" : Build(ProducerDefaults, options.Producer, ProducerFixed)["allow.auto.create.topics"];
        return new AdminClientConfig(properties);
    }

    /// <summary>What in the options conflicts with the outbox's fixed settings, one message per property.</summary>
    public static IEnumerable<string> Conflicts(KafkaOptions options)
    {
        foreach (var (section, properties, fixedOnes) in new[] { ("Client", options.Client, ProducerFixed.Concat(ConsumerFixed)), ("Producer", options.Producer, ProducerFixed), ("Consumer", options.Consumer, ConsumerFixed) })
        {
            foreach (var (property, value) in properties)
            {
                if (Owned.FirstOrDefault(o => o.Property == property) is { Property: not null } owned)
                {
                    yield return $"Outbox:Kafka:{section}:{property} cannot be set: the outbox takes it from {owned.Instead}.";
                }
                else if (fixedOnes.FirstOrDefault(f => f.Property == property) is { } rule && !rule.Allowed.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase))
                {
                    yield return $"Outbox:Kafka:{section}:{property} is '{value}', but the outbox needs '{rule.Value}': {rule.Why}. Remove the setting.";
                }
            }
        }
    }

    /// <summary><paramref name="text"/> with the value of every secret property replaced by <c>***</c>.</summary>
    public string Redact(string text)
    {
        foreach (var properties in new[] { options.Client, options.Producer, options.Consumer })
        {
            foreach (var (property, value) in properties)
            {
                if (IsSecret(property) && value.Length > 0)
                {
                    text = text.Replace(value, "***", StringComparison.Ordinal);
                }
            }
        }

        return text;
    }

    /// <summary>Whether a librdkafka property holds a secret: a password, a key, a token or a JAAS configuration.</summary>
    public static bool IsSecret(string property) =>
        property.Contains("password", StringComparison.OrdinalIgnoreCase) ||
        property.Contains("secret", StringComparison.OrdinalIgnoreCase) ||
        property.Contains("jaas", StringComparison.OrdinalIgnoreCase) ||
        property.Contains("token", StringComparison.OrdinalIgnoreCase) ||
        property.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) ||
        property.Contains(".key", StringComparison.OrdinalIgnoreCase);

    private Dictionary<string, string> Build(Dictionary<string, string> defaults, IDictionary<string, string> own, IEnumerable<Fixed> fixedOnes)
    {
        var properties = new Dictionary<string, string>(defaults, StringComparer.Ordinal);
        foreach (var layer in new[] { options.Client, own })
        {
            foreach (var (property, value) in layer)
            {
                properties[property] = value;
            }
        }

        foreach (var rule in fixedOnes)
        {
            properties[rule.Property] = rule.Value;
        }

        properties["bootstrap.servers"] = brokers.Address;
        return properties;
    }

    private sealed record Fixed(string Property, string Value, string[] Allowed, string Why);
}
