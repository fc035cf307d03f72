using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Outbox.Benchmarks;

/// <summary>
/// (6) Relay of a PostgreSQL backlog to RabbitMQ, against raw RabbitMQ.Client publishing of the same messages
/// with pipelined confirms, in batches of the same size, in the same run.
/// </summary>
internal sealed class RabbitMQRelayScenario(BenchEnvironment env) : Scenario
{
    public override string Section => "6";

    public override async Task RunAsync()
    {
        await RabbitMQRelayAsync(env.Quick ? 20_000 : 100_000);
    }

    private async Task RabbitMQRelayAsync(int count)
    {
        const int batch = 500;
        var uri = env.RabbitMQUri;
        const string exchange = "outbox-bench";
        await using var connection = await new global::RabbitMQ.Client.ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new global::RabbitMQ.Client.CreateChannelOptions(true, true, outstandingPublisherConfirmationsRateLimiter: null));
        await channel.ExchangeDeclareAsync(exchange, "topic", durable: true);
        await channel.QueueDeclareAsync(exchange, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(exchange, exchange, "orders.placed");
        await channel.QueuePurgeAsync(exchange);

        var body = System.Text.Encoding.UTF8.GetBytes("{\"orderId\":1,\"customer\":\"ada\",\"total\":10}");
        var raw = Stopwatch.StartNew();
        for (var sent = 0; sent < count; sent += batch)
        {
            var confirms = new List<Task>(batch);
            for (var i = sent; i < Math.Min(count, sent + batch); i++)
            {
                var properties = new global::RabbitMQ.Client.BasicProperties
                {
                    MessageId = Guid.NewGuid().ToString(),
                    Type = "OrderPlaced",
                    ContentType = "application/json",
                    DeliveryMode = global::RabbitMQ.Client.DeliveryModes.Persistent,
                    Headers = new Dictionary<string, object?> { ["outbox-key"] = $"k{i % 1000}" },
                };
                confirms.Add(channel.BasicPublishAsync(exchange, "orders.placed", mandatory: true, properties, body).AsTask());
            }

            await Task.WhenAll(confirms);
        }

        raw.Stop();
        await channel.QueuePurgeAsync(exchange);

        // The relay with its default settings: claims grow from 100 to 1,000 under the backlog.
        var relay = await env.RelayBacklogAsync(count, keys: 1000, new Dictionary<string, string?>
        {
            ["Outbox:Transport"] = "RabbitMQ",
            ["Outbox:RabbitMQ:Uri"] = uri,
            ["Outbox:RabbitMQ:Exchange"] = exchange,
        }, o => o.UseRabbitMQ());
        var queued = (await channel.QueueDeclarePassiveAsync(exchange)).MessageCount;
        await channel.QueuePurgeAsync(exchange);

        var rawRate = count / raw.Elapsed.TotalSeconds;
        var relayRate = count / relay.TotalSeconds;
        Console.WriteLine($"## 6. Relay to RabbitMQ: {count} messages over 1,000 keys; raw in batches of {batch}, the relay with its default settings");
        Console.WriteLine();
        Console.WriteLine("| variant | seconds | messages/s |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| raw RabbitMQ.Client, pipelined confirms | {raw.Elapsed.TotalSeconds:0.00} | {rawRate:0} |");
        Console.WriteLine($"| outbox relay from a PostgreSQL backlog | {relay.TotalSeconds:0.00} | {relayRate:0} |");
        Console.WriteLine();
        Console.WriteLine($"relay / raw throughput: **{relayRate / rawRate:0.00}** (target at least 0.8); messages in the queue after the relay: {queued}");
        env.Targets.Record("rabbitmq-relay-ratio", relayRate / rawRate);
        Console.WriteLine();
    }
}
