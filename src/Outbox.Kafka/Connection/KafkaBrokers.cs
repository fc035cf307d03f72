using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Kafka.Configuration;
using Outbox.Kafka.Telemetry;

namespace Outbox.Kafka.Connection;

/// <summary>
/// The brokers this service's clients bootstrap from: <c>Outbox:Kafka:BootstrapServers</c>, or, when that is
/// <c>mock</c>, librdkafka's mock cluster, started in this process on first use and shared by every service
/// the process hosts (the validator allows it in the Development environment only).
/// </summary>
internal sealed class KafkaBrokers(IOptions<KafkaOptions> options, ILogger<KafkaBrokers> logger)
{
    private static readonly Lock Gate = new();

    // The client the mock cluster lives in, kept for the process's lifetime: the cluster ends with it.
    private static IAdminClient? s_mockOwner;
    private static string? s_mockAddress;

    private readonly Lazy<string> _address = new(() => IsMock(options.Value.BootstrapServers) ? StartMock(logger) : options.Value.BootstrapServers);

    /// <summary>The brokers' addresses, <c>host:port</c> separated by commas.</summary>
    public string Address => _address.Value;

    /// <summary>Whether <paramref name="bootstrapServers"/> asks for the mock cluster.</summary>
    public static bool IsMock(string bootstrapServers) =>
        bootstrapServers.Trim().Equals(KafkaDefaults.MockCluster, StringComparison.OrdinalIgnoreCase);

    private static string StartMock(ILogger logger)
    {
        lock (Gate)
        {
            if (s_mockAddress is { } address)
            {
                return address;
            }

            var config = new AdminClientConfig();
            config.Set("test.mock.num.brokers", "1");
            var owner = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build(); // its own broker's chatter
            try
            {
                var broker = owner.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Single();
                s_mockAddress = $"{broker.Host}:{broker.Port}";
            }
            catch
            {
                owner.Dispose();
                throw;
            }

            s_mockOwner = owner;
            Log.MockClusterStarted(logger, s_mockAddress);
            return s_mockAddress;
        }
    }
}
