using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Outbox.Benchmarks;

/// <summary>
/// (10) The write path under concurrency: eight writers commit as fast as they can, each transaction an
/// order, with one outbox message or without it, with the dispatcher stopped so that only the writing is
/// measured. Rounds alternate, so that the table's growth and checkpoints fall on both alike.
/// </summary>
internal sealed class WritePathScenario(BenchEnvironment env) : Scenario
{
    private const int Writers = 8;
    private const int Rounds = 3;

    public override string Section => "10";

    public override async Task RunAsync()
    {
        var seconds = TimeSpan.FromSeconds(env.Quick ? 2 : 5);
        await env.ResetAsync();
        using var host = env.BuildHost([]); // not started: no dispatcher
        await WriteAsync(host, publish: true, TimeSpan.FromSeconds(1)); // warm-up: JIT, connection pool
        long without = 0, with = 0;
        for (var round = 0; round < Rounds; round++)
        {
            without += await WriteAsync(host, publish: false, seconds);
            with += await WriteAsync(host, publish: true, seconds);
        }

        var total = (seconds * Rounds).TotalSeconds;
        Console.WriteLine($"## 10. Write path: {Writers} writers, {Rounds} rounds of {seconds.TotalSeconds:0} s each way, dispatcher stopped");
        Console.WriteLine();
        Console.WriteLine("| variant | transactions/s |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine($"| EF: order only | {without / total:N0} |");
        Console.WriteLine($"| EF: order + outbox message | {with / total:N0} |");
        Console.WriteLine();
        Console.WriteLine($"with / without: **{(double)with / without:0.00}** (target at least 0.8)");
        Console.WriteLine();
        env.Targets.Record("write-path-ratio", (double)with / without);
    }

    private async Task<long> WriteAsync(IHost host, bool publish, TimeSpan duration)
    {
        long count = 0;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                await env.PlaceOrderAsync(host, lines: 0, publish);
                Interlocked.Increment(ref count);
            }
        })));
        return count;
    }
}
