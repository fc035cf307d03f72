using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Outbox.Benchmarks;

/// <summary>
/// (6) Relay of a PostgreSQL backlog to RabbitMQ with default settings, against raw RabbitMQ.Client publishing
/// of the same messages with pipelined confirms in batches of 500, in the same run: a backlog without keys, one
/// over 1,000 keys, and one on a single key. Each relay is measured right after its own raw baseline, so that
/// the machine's drift over the run falls on both alike.
/// </summary>
internal sealed class RabbitMQRelayScenario(BenchEnvironment env) : Scenario
{
    private const int Batch = 500;
    private const string Exchange = "outbox-bench";

    public override string Section => "6";

    public override async Task RunAsync()
    {
        var count = env.Quick ? 20_000 : 100_000;
        await using var connection = await new global::RabbitMQ.Client.ConnectionFactory { Uri = new Uri(env.RabbitMQUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new global::RabbitMQ.Client.CreateChannelOptions(true, true, outstandingPublisherConfirmationsRateLimiter: null));
        await channel.ExchangeDeclareAsync(Exchange, "topic", durable: true);
        await channel.QueueDeclareAsync(Exchange, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(Exchange, Exchange, "orders.placed");
        await channel.QueuePurgeAsync(Exchange);

        var settings = new Dictionary<string, string?>
        {
            ["Outbox:Transport"] = "RabbitMQ",
            ["Outbox:RabbitMQ:Uri"] = env.RabbitMQUri,
            ["Outbox:RabbitMQ:Exchange"] = Exchange,
        };

        // Not counted: the relay's code and the client's are compiled and tiered up here, which would otherwise
        // take a core for seconds of the first measured relay.
        await env.RelayBacklogAsync(count / 10, 1000, settings, o => o.UseRabbitMQ());
        await channel.QueuePurgeAsync(Exchange);

        var results = new List<(string Backlog, string Target, TimeSpan Raw, RelayRun Relay, uint Queued)>();
        foreach (var (backlog, keys, target) in new[] { ("no keys", 0, "rabbitmq-relay-ratio"), ("1,000 keys", 1000, "rabbitmq-keys-ratio"), ("one key", 1, "rabbitmq-hot-key-ratio") })
        {
            var raw = await RawPublishAsync(channel, count, Math.Max(keys, 1));
            await channel.QueuePurgeAsync(Exchange);
            var relay = await env.RelayBacklogAsync(count, keys, settings, o => o.UseRabbitMQ());
            var queued = (await channel.QueueDeclarePassiveAsync(Exchange)).MessageCount;
            await channel.QueuePurgeAsync(Exchange);
            results.Add((backlog, target, raw, relay, queued));
        }

        Console.WriteLine($"## 6. Relay to RabbitMQ: {count:N0} messages; raw in batches of {Batch}, the relay with its default settings");
        Console.WriteLine();
        Console.WriteLine("| backlog | raw msg/s | relay msg/s | relay / raw | relay CPU µs per message: process / PostgreSQL / RabbitMQ | messages in the queue |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (backlog, target, raw, relay, queued) in results)
        {
            var cpu = relay.Cpu;
            Console.WriteLine($"| {backlog} | {count / raw.TotalSeconds:N0} | {count / relay.Elapsed.TotalSeconds:N0} | **{raw / relay.Elapsed:0.00}** | "
                + $"{cpu.Process / count * 1e6:0} / {cpu.Database / count * 1e6:0} / {cpu.Broker / count * 1e6:0} | {queued:N0} |");
            env.Targets.Record(target, raw / relay.Elapsed);
        }

        Console.WriteLine();
    }

    // Publishes count messages, persistent and mandatory, 500 at a time with all confirmations of a batch awaited together.
    private static async Task<TimeSpan> RawPublishAsync(global::RabbitMQ.Client.IChannel channel, int count, int keys)
    {
        var body = System.Text.Encoding.UTF8.GetBytes("{\"orderId\":1,\"customer\":\"ada\",\"total\":10}");
        var raw = Stopwatch.StartNew();
        for (var sent = 0; sent < count; sent += Batch)
        {
            var confirms = new List<Task>(Batch);
            for (var i = sent; i < Math.Min(count, sent + Batch); i++)
            {
                var properties = new global::RabbitMQ.Client.BasicProperties
                {
                    MessageId = Guid.NewGuid().ToString(),
                    Type = "OrderPlaced",
                    ContentType = "application/json",
                    DeliveryMode = global::RabbitMQ.Client.DeliveryModes.Persistent,
                    Headers = new Dictionary<string, object?> { ["outbox-key"] = $"k{i % keys}" },
                };
                confirms.Add(channel.BasicPublishAsync(Exchange, "orders.placed", mandatory: true, properties, body).AsTask());
            }

            await Task.WhenAll(confirms);
        }

        return raw.Elapsed;
    }
}
