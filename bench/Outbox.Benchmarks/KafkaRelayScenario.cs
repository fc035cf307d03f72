using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Kafka.Tests;

namespace Outbox.Benchmarks;

/// <summary>
/// (8) Relay of a PostgreSQL backlog to Kafka, against raw Confluent.Kafka produce of the same messages with
/// the same producer settings, in batches of the same size, in the same run; over 1,000 keys and over one.
/// Kafka is librdkafka's mock cluster in this process: it speaks the protocol on a localhost port, and its
/// broker threads take their share of the same two cores in both variants.
/// </summary>
internal sealed class KafkaRelayScenario(BenchEnvironment env) : Scenario
{
    public override string Section => "8";

    public override async Task RunAsync()
    {
        await KafkaRelayAsync(env.Quick ? 20_000 : 100_000);
    }

    private async Task KafkaRelayAsync(int count)
    {
        const int batch = 500;
        const string topic = "orders.placed";
        var results = new List<(int Keys, TimeSpan Raw, TimeSpan Relay, TimeSpan Store)>();
        // The first round, on a small backlog, is not counted: the relay's code is compiled and tiered up in it,
        // which would otherwise take a core for seconds of a measured round.
        foreach (var keys in new[] { -1, 1000, 1 })
        {
            using var cluster = new MockCluster();
            cluster.CreateTopic(topic, partitions: 6);
            var rows = keys < 0 ? count / 10 : count;
            var raw = await RawKafkaProduceAsync(cluster.BootstrapServers, topic, rows, batch, Math.Abs(keys));
            var relay = await env.RelayBacklogAsync(rows, Math.Abs(keys), new Dictionary<string, string?>
            {
                ["Outbox:Dispatch:BatchSize"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Outbox:Transport"] = "Kafka",
                ["Outbox:Kafka:BootstrapServers"] = cluster.BootstrapServers,
            }, o => o.UseKafka());
            // The same backlog to the in-memory transport: what claiming and marking the rows cost alone.
            var store = await env.RelayBacklogAsync(rows, Math.Abs(keys), new Dictionary<string, string?>
            {
                ["Outbox:Dispatch:BatchSize"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            if (keys > 0)
            {
                results.Add((keys, raw, relay.Elapsed, store.Elapsed));
            }
        }

        Console.WriteLine($"## 8. Relay to Kafka (librdkafka's mock cluster, 6 partitions): {count:N0} messages, batches of {batch}");
        Console.WriteLine();
        Console.WriteLine("| keys | raw Confluent.Kafka messages/s | outbox relay to Kafka messages/s | relay / raw | relay to the in-memory transport messages/s |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var (keys, raw, relay, store) in results)
        {
            Console.WriteLine($"| {keys:N0} | {count / raw.TotalSeconds:N0} | {count / relay.TotalSeconds:N0} | **{raw / relay:0.00}** | {count / store.TotalSeconds:N0} |");
        }

        Console.WriteLine();
        Console.WriteLine("Both produce with enable.idempotence=true and acks=all and wait for every delivery report of a batch; targets: at least 0.8 over 1,000 keys, 0.4 on one key.");
        Console.WriteLine();
        env.Targets.Record("kafka-relay-ratio", results[0].Raw / results[0].Relay);
        env.Targets.Record("kafka-hot-key-ratio", results[1].Raw / results[1].Relay);
    }

    // Produces count messages, as the relay would send them, in batches whose delivery reports are all awaited.
    private static async Task<TimeSpan> RawKafkaProduceAsync(string bootstrapServers, string topic, int count, int batch, int keys)
    {
        var config = new Confluent.Kafka.ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Acks = Confluent.Kafka.Acks.All,
            AllowAutoCreateTopics = false,
        };
        using var producer = new Confluent.Kafka.ProducerBuilder<byte[]?, byte[]>(config).Build();
        var contentType = System.Text.Encoding.UTF8.GetBytes("application/json");
        var messageType = System.Text.Encoding.UTF8.GetBytes("OrderPlaced");
        var watch = Stopwatch.StartNew();
        for (var sent = 0; sent < count; sent += batch)
        {
            var size = Math.Min(batch, count - sent);
            var left = size;
            var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            for (var i = sent; i < sent + size; i++)
            {
                var record = new Confluent.Kafka.Message<byte[]?, byte[]>
                {
                    Key = System.Text.Encoding.UTF8.GetBytes($"k{i % keys}"),
                    Value = System.Text.Encoding.UTF8.GetBytes($"{{\"orderId\":{i},\"customer\":\"ada\",\"total\":10}}"),
                    Timestamp = new Confluent.Kafka.Timestamp(DateTimeOffset.UtcNow),
                    Headers = new Confluent.Kafka.Headers
                    {
                        { "message-id", System.Text.Encoding.UTF8.GetBytes(Guid.CreateVersion7().ToString()) },
                        { "message-type", messageType },
                        { "content-type", contentType },
                    },
                };
                producer.Produce(topic, record, report =>
                {
                    if (report.Error.IsError)
                    {
                        reported.TrySetException(new Confluent.Kafka.KafkaException(report.Error));
                    }
                    else if (Interlocked.Decrement(ref left) == 0)
                    {
                        reported.TrySetResult();
                    }
                });
            }

            await reported.Task;
        }

        return watch.Elapsed;
    }
}
