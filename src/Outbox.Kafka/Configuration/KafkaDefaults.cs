namespace Outbox.Kafka.Configuration;

/// <summary>The default value of every Kafka setting, in one place.</summary>
internal static class KafkaDefaults
{
    /// <summary>The configuration section the options bind from, under <c>Outbox</c>.</summary>
    public const string SectionName = "Kafka";

    /// <summary>The brokers: <c>localhost:9092</c>.</summary>
    public const string BootstrapServers = "localhost:9092";

    /// <summary>The <see cref="KafkaOptions.BootstrapServers"/> that asks for librdkafka's mock cluster: <c>mock</c>.</summary>
    public const string MockCluster = "mock";

    /// <summary>How long start-up waits for the cluster's metadata: 10 seconds.</summary>
    public static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Deliveries a consumer holds received and unfinished before it pauses fetching: 1,000. Fetching
    /// resumes below half of it.
    /// </summary>
    public const int MaxUnfinished = 1000;
}
