using System.Runtime.InteropServices;
using System.Text;

namespace Outbox.Kafka.Tests;

/// <summary>
/// librdkafka's mock cluster: a Kafka broker inside this process that speaks the Kafka protocol on a real
/// localhost port, so the clients under test talk to it as to any cluster. It is owned by a bare librdkafka
/// handle created here, which also gives the fault-injection calls (a broker down, errors pushed into
/// requests) their cluster.
/// </summary>
internal sealed partial class MockCluster : IDisposable
{
    private const string Library = "librdkafka";
    private const int BrokerId = 1;

    private static readonly Lazy<MockCluster> Shared = new(() => new MockCluster());

    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;

    /// <summary>A cluster of its own, for a test that must not share topics or groups with others.</summary>
    public MockCluster(int brokers = 1)
    {
        var conf = rd_kafka_conf_new();
        Set(conf, "test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Set(conf, "log_level", "0"); // the handle is a client of its own cluster: its complaints while the broker is down are noise
        var error = new byte[512];
        _handle = rd_kafka_new(1 /* consumer: it never sends anything itself */, conf, error, error.Length);
        if (_handle == IntPtr.Zero)
        {
            throw new InvalidOperationException($"librdkafka could not create the mock cluster: {Text(error)}. Run eng/librdkafka.sh.");
        }

        _cluster = rd_kafka_handle_mock_cluster(_handle);
        rd_kafka_mock_group_initial_rebalance_delay_ms(_cluster, 0); // a broker's default is 3 s
        BootstrapServers = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(_cluster))!;
    }

    /// <summary>The cluster every test uses.</summary>
    public static MockCluster Instance => Shared.Value;

    /// <summary>The brokers' addresses, as <c>127.0.0.1:port</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>
    /// Consumer settings for tests. The mock's group coordinator, unlike a broker's, waits for a rejoin until
    /// the session timeout less a second even after the last member left: a short session keeps a consumer
    /// that reads again from waiting 44 s.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ConsumerSettings { get; } = new Dictionary<string, string>
    {
        ["session.timeout.ms"] = "4000",
        ["heartbeat.interval.ms"] = "500",
    };

    /// <summary>The configuration of a service that uses this cluster, under <c>Outbox</c>.</summary>
    public Dictionary<string, string?> Configuration()
    {
        var settings = new Dictionary<string, string?> { ["Outbox:Kafka:BootstrapServers"] = BootstrapServers };
        foreach (var (name, value) in ConsumerSettings)
        {
            settings[$"Outbox:Kafka:Consumer:{name}"] = value;
        }

        return settings;
    }

    /// <summary>The environment of a program run as a process that sends and receives through this cluster.</summary>
    public (string Name, string Value)[] EnvironmentVariables() =>
        [("Outbox__Transport", "Kafka"), .. Configuration().Select(s => (s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value!))];

    /// <summary>Creates <paramref name="topic"/> with <paramref name="partitions"/> partitions.</summary>
    public void CreateTopic(string topic, int partitions) =>
        Check(rd_kafka_mock_topic_create(_cluster, topic, partitions, 1), $"creating topic {topic}");

    /// <summary>Disconnects every client and refuses new connections, as a stopped broker does.</summary>
    public void BrokerDown() => Check(rd_kafka_mock_broker_set_down(_cluster, BrokerId), "taking the broker down");

    /// <summary>Accepts connections again.</summary>
    public void BrokerUp() => Check(rd_kafka_mock_broker_set_up(_cluster, BrokerId), "bringing the broker up");

    /// <summary>Makes the next <paramref name="errors"/>.Length requests of <paramref name="api"/> fail with those errors, in order.</summary>
    public void PushRequestErrors(ApiKey api, params int[] errors) =>
        rd_kafka_mock_push_request_errors_array(_cluster, (short)api, (nuint)errors.Length, errors);

    /// <summary>Makes every request about <paramref name="topic"/> fail with <paramref name="error"/> (0 clears it).</summary>
    public void SetTopicError(string topic, int error) => rd_kafka_mock_topic_set_error(_cluster, topic, error);

    public void Dispose() => rd_kafka_destroy(_handle);

    private static void Set(IntPtr conf, string name, string value)
    {
        var error = new byte[512];
        if (rd_kafka_conf_set(conf, name, value, error, error.Length) != 0)
        {
            throw new InvalidOperationException($"librdkafka refused {name}={value}: {Text(error)}");
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"The mock cluster failed {what}: {Marshal.PtrToStringUTF8(rd_kafka_err2str(error))}");
        }
    }

    private static string Text(byte[] error) => Encoding.UTF8.GetString(error).TrimEnd('\0');

    /// <summary>The Kafka protocol's request types the tests inject errors into.</summary>
    public enum ApiKey : short
    {
        Produce = 0,
        Fetch = 1,
        OffsetCommit = 8,
    }

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, [Out] byte[] error, nint errorSize);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_new(int type, IntPtr conf, [Out] byte[] error, nint errorSize);

    [LibraryImport(Library)]
    private static partial void rd_kafka_destroy(IntPtr handle);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_handle_mock_cluster(IntPtr handle);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library)]
    private static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr cluster, int delayMs);

    [LibraryImport(Library)]
    private static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    private static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    private static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short api, nuint count, int[] errors);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial void rd_kafka_mock_topic_set_error(IntPtr cluster, string topic, int error);

    [LibraryImport(Library)]
    private static partial IntPtr rd_kafka_err2str(int error);
}
