using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Outbox.Benchmarks;

/// <summary>
/// (9) Recovery after a broker outage: orders are committed at a steady rate while RabbitMQ is stopped
/// (<c>rabbitmqctl stop_app</c>) for a while and started again; measured from <c>start_app</c> returning
/// to the first message sent and to the backlog built during the outage being sent, with the default
/// settings. Needs the local broker and the right to run <c>rabbitmqctl</c>.
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
        await RabbitMQCtlAsync("start_app");
        await RabbitMQCtlAsync("await_startup");
        var back = Stopwatch.StartNew();
        var sentBefore = dispatched.Count;
        var backlog = Volatile.Read(ref written);
        var waiting = backlog - sentBefore;
        TimeSpan? flowing = null;
        while (dispatched.Count < backlog && back.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (flowing is null && dispatched.Count > sentBefore)
            {
                flowing = back.Elapsed;
            }

            await Task.Delay(5);
        }

        var drained = back.Elapsed;
        await stop.CancelAsync();
        await writer;
        await host.StopAsync();

        Console.WriteLine($"## 9. Recovery: RabbitMQ stopped for {outage.TotalSeconds:0} s while orders are committed at {rate}/s (default settings)");
        Console.WriteLine();
        Console.WriteLine("| rows waiting when the broker returned | first sent after start_app | all of them sent after | their rate |");
        Console.WriteLine("|---:|---:|---:|---:|");
        Console.WriteLine($"| {waiting:N0} | {flowing?.TotalSeconds ?? double.NaN:0.00} s | {drained.TotalSeconds:0.00} s | {waiting / drained.TotalSeconds:N0}/s |");
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
