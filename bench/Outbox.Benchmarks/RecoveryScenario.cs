using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Outbox.Benchmarks;

/// <summary>
/// (9) Recovery after a broker outage: orders are committed at a steady rate while RabbitMQ is stopped
/// (<c>rabbitmqctl stop_app</c>) for a while and started again; measured from <c>start_app</c> being
/// issued to the broker reporting itself started, to the first message sent and to the backlog built
/// during the outage being sent, with the default settings. The target is the wait after the broker
/// started (zero when sending resumed before). Needs the local broker and the right to run <c>rabbitmqctl</c>.
/// </summary>
internal sealed class RecoveryScenario(BenchEnvironment env) : Scenario
{
    private const string Exchange = "outbox-bench-recovery";

    public override string Section => "9";

    public override async Task RunAsync()
    {
        const int rate = 250;
        var outage = TimeSpan.FromSeconds(env.Quick ? 5 : 20);
        await env.ResetAsync();
        await using (var connection = await new ConnectionFactory { Uri = new Uri(env.RabbitMQUri) }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeclareAsync(Exchange, "topic", durable: true);
            await channel.QueueDeclareAsync(Exchange, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(Exchange, Exchange, "orders.placed");
            await channel.QueuePurgeAsync(Exchange);
        }

        using var host = env.BuildHost(new Dictionary<string, string?>
        {
            ["Outbox:Transport"] = "RabbitMQ",
            ["Outbox:RabbitMQ:Uri"] = env.RabbitMQUri,
            ["Outbox:RabbitMQ:Exchange"] = Exchange,
        }, o => o.UseRabbitMQ());
        using var dispatched = new DispatchedCounter();
        await host.StartAsync();

        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            var start = Stopwatch.GetTimestamp();
            while (!stop.IsCancellationRequested)
            {
                var due = start + (long)(written * (double)Stopwatch.Frequency / rate);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                await env.PlaceOrderAsync(host, lines: 0, publish: true);
                Interlocked.Increment(ref written);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(3));
        await RabbitMQCtlAsync("stop_app");
        await Task.Delay(outage);

        // Measured from the moment start_app is issued: the outbox may send again before rabbitmqctl
        // returns (the listener opens before the broker reports itself started), and a figure taken only
        // after it returned would miss that.
        var sentBefore = dispatched.Count;
        var backlog = Volatile.Read(ref written);
        var waiting = backlog - sentBefore;
        var back = Stopwatch.StartNew();
        TimeSpan? firstSent = null;
        var drained = TimeSpan.Zero;
        var watch = Task.Run(async () =>
        {
            while (dispatched.Count < backlog && back.Elapsed < TimeSpan.FromMinutes(2))
            {
                if (firstSent is null && dispatched.Count > sentBefore)
                {
                    firstSent = back.Elapsed;
                }

                await Task.Delay(5);
            }

            firstSent ??= dispatched.Count > sentBefore ? back.Elapsed : null;
            drained = back.Elapsed;
        });
        await RabbitMQCtlAsync("start_app");
        await RabbitMQCtlAsync("await_startup");
        var returned = back.Elapsed;
        await watch;
        TimeSpan? flowing = firstSent is { } first ? (first > returned ? first - returned : TimeSpan.Zero) : null;
        await stop.CancelAsync();
        await writer;
        await host.StopAsync();

        Console.WriteLine($"## 9. Recovery: RabbitMQ stopped for {outage.TotalSeconds:0} s while orders are committed at {rate}/s (default settings)");
        Console.WriteLine();
        Console.WriteLine("| rows waiting at start_app | start_app to the broker started | to the first sent | to all of them sent | their rate from the first | first sent after the broker started |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {waiting:N0} | {returned.TotalSeconds:0.00} s | {firstSent?.TotalSeconds ?? double.NaN:0.00} s | {drained.TotalSeconds:0.00} s | {waiting / (drained - (firstSent ?? TimeSpan.Zero)).TotalSeconds:N0}/s | {flowing?.TotalSeconds ?? double.NaN:0.00} s |");
        Console.WriteLine();
        env.Targets.Record("recovery-flowing-seconds", flowing?.TotalSeconds ?? double.PositiveInfinity);
    }

    private static async Task RabbitMQCtlAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("rabbitmqctl", ["-q", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {command} failed ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()}");
        }
    }
}
