using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Outbox.Benchmarks;

/// <summary>
/// (7) Commit to consumer through RabbitMQ: each message is published with confirms, read by a consumer in the
/// same process and handled through its inbox; at 200 messages/s from 4 writers, at 400/s (about the most this 2-core machine sustains with every part on it; 600/s fell behind in one run of two) and at 1,000/s from 8.
/// Each rate is followed by the same rate through RabbitMQ.Client alone (<see cref="RawRabbitMQLatency"/>).
/// </summary>
internal sealed class RabbitMQLatencyScenario(BenchEnvironment env) : Scenario
{
    private const string Consumer = "bench-latency";

    public override string Section => "7";

    public override async Task RunAsync()
    {
        await RabbitMQLatencyAsync(seconds: env.Quick ? 4 : 20);
    }

    private async Task RabbitMQLatencyAsync(int seconds)
    {
        // Not counted: for its first ten seconds or so the process compiles and tiers up the code of every part
        // (writers, relay, client, consumer, inbox), and on two cores that compilation alone gave a p99 of 400 ms
        // at 200/s.
        await MeasureAsync(200, 4, env.Quick ? 3 : 10);

        var runs = new List<(int Rate, LatencyRun Run, List<double> ToBroker, List<double> InConsumer)>();
        var raw = new List<LatencyRun>();
        foreach (var (rate, writers) in new[] { (200, 4), (400, 4), (1000, 8) })
        {
            runs.Add(await MeasureAsync(rate, writers, seconds));
            raw.Add(await RawRabbitMQLatency.MeasureAsync(env.RabbitMQUri, rate, seconds, writers));
        }

        Console.WriteLine($"## 7. Commit-to-consumer latency through RabbitMQ for {seconds} s per rate (consumer with 8 handlers at a time)");
        Console.WriteLine();
        Console.WriteLine("| target rate | writers | achieved | commits started > 10 ms late | p50 ms | p90 ms | p99 ms | max ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (rate, run, _, _) in runs)
        {
            Console.WriteLine($"| {rate}/s | {run.Writers} | {run.Rate:0}/s | {run.Late:N0} | {run.Percentiles()} |");
        }

        // The first part of the way: from publish (just before the commit) to the broker's confirmation, as
        // the dispatcher records it (outbox.dispatch.latency) when it marks the row; and the last: in the
        // consumer, from taking the delivery up to the handler (the inbox).
        PrintPart("Of which publish to the broker's confirmation (`outbox.dispatch.latency`):", runs.Select(r => (r.Rate, r.ToBroker)));
        PrintPart("Of which in the consumer, from its span's start to the handler (the inbox pipeline):", runs.Select(r => (r.Rate, r.InConsumer)));

        // The floor: the broker's part alone, at the same rates, on the same machine.
        Console.WriteLine();
        Console.WriteLine("Baseline: RabbitMQ.Client alone, publish (persistent, confirmed) to a plain consumer in the same process, no database:");
        Console.WriteLine();
        Console.WriteLine("| target rate | writers | achieved | publishes started > 10 ms late | p50 ms | p90 ms | p99 ms | max ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var ((rate, _, _, _), baseline) in runs.Zip(raw))
        {
            Console.WriteLine($"| {rate}/s | {baseline.Writers} | {baseline.Rate:0}/s | {baseline.Late:N0} | {baseline.Percentiles()} |");
        }

        env.Targets.Record("consumer-latency-p99-200-ms", Stats.Percentile(runs.Single(r => r.Rate == 200).Run.Latencies, 99));
        env.Targets.Record("consumer-latency-p99-1000-ms", Stats.Percentile(runs.Single(r => r.Rate == 1000).Run.Latencies, 99));

        Console.WriteLine();
        Console.WriteLine("Measured from SaveChanges returning (the commit) to the consumer's handler running, its inbox transaction open; after a warm-up run, the first second of each rate is not counted.");
        Console.WriteLine();
    }

    private static void PrintPart(string title, IEnumerable<(int Rate, List<double> Values)> rates)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine();
        Console.WriteLine("| target rate | messages | p50 ms | p90 ms | p99 ms | max ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var (rate, values) in rates.Where(r => r.Values.Count > 0))
        {
            Console.WriteLine($"| {rate}/s | {values.Count:N0} | {Stats.Percentile(values, 50):0.00} | {Stats.Percentile(values, 90):0.00} | {Stats.Percentile(values, 99):0.00} | {values.Max():0.00} |");
        }
    }

    private async Task<(int Rate, LatencyRun Run, List<double> ToBroker, List<double> InConsumer)> MeasureAsync(int rate, int writers, int seconds)
    {
        await env.ResetAsync();
        await using (var connection = await new ConnectionFactory { Uri = new Uri(env.RabbitMQUri) }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            // A previous run's host stops with deliveries handled but not yet acknowledged; they come back, and
            // its inbox is gone with the database, so they would be handled (and counted) again.
            await channel.QueueDeclareAsync(Consumer, durable: true, exclusive: false, autoDelete: false);
            await channel.QueuePurgeAsync(Consumer);
        }

        var arrivals = System.Threading.Channels.Channel.CreateUnbounded<Guid>();
        using var times = new ConsumerTimes();
        using var host = env.BuildHost(new Dictionary<string, string?>
        {
            ["Outbox:Transport"] = "RabbitMQ",
            ["Outbox:RabbitMQ:Uri"] = env.RabbitMQUri,
            ["Outbox:RabbitMQ:Exchange"] = "outbox-bench-latency",
        }, o =>
        {
            o.Services.AddSingleton(arrivals.Writer).AddSingleton(times);
            o.UseRabbitMQ().AddConsumer<ArrivalHandler>(c =>
            {
                c.Source = "orders.placed";
                c.Name = Consumer;
                c.MaxConcurrency = 8;
            });
        });
        using var toBroker = new HistogramRecorder("outbox.dispatch.latency");
        await host.StartAsync();
        var run = await env.MeasureLatencyAsync(host, async () => await arrivals.Reader.ReadAsync(), rate, seconds, writers);
        await host.StopAsync();
        return (rate, run, toBroker.Values(skip: run.WarmUp), times.Values(skip: run.WarmUp));
    }
}
