using Microsoft.Extensions.Hosting;

namespace Outbox.Benchmarks;

/// <summary>
/// (10) The write path under concurrency: eight writers commit as fast as they can, each transaction an
/// order alone, an order with one outbox message, or (for reference) an order with one plain second row,
/// with the dispatcher stopped so that only the writing is measured. The variants take turns going first
/// in each round: the first phase of a round runs measurably slower on this machine whichever variant it
/// is, and the table's growth and checkpoints fall on all of them alike.
/// </summary>
internal sealed class WritePathScenario(BenchEnvironment env) : Scenario
{
    private const int Writers = 8;

    private static readonly (string Name, int Lines, bool Publish)[] Variants =
    [
        ("EF: order only (one `INSERT`, which EF Core runs without a transaction)", 0, false),
        ("EF: order + one order line (a second row, no outbox)", 1, false),
        ("EF: order + outbox message", 0, true),
    ];

    public override string Section => "10";

    public override async Task RunAsync()
    {
        var seconds = TimeSpan.FromSeconds(env.Quick ? 2 : 5);
        await env.ResetAsync();
        using var host = env.BuildHost([]); // not started: no dispatcher
        await WriteAsync(host, 0, publish: true, TimeSpan.FromSeconds(1)); // warm-up: JIT, connection pool
        var counts = new long[Variants.Length];
        var cpu = new CpuUse[Variants.Length];
        for (var round = 0; round < Variants.Length; round++)
        {
            for (var turn = 0; turn < Variants.Length; turn++)
            {
                var v = (round + turn) % Variants.Length;
                var meter = new CpuMeter();
                counts[v] += await WriteAsync(host, Variants[v].Lines, Variants[v].Publish, seconds);
                cpu[v] += meter.Elapsed();
            }
        }

        var total = (seconds * Variants.Length).TotalSeconds;
        Console.WriteLine($"## 10. Write path: {Writers} writers, {Variants.Length} rounds of {seconds.TotalSeconds:0} s per variant, dispatcher stopped, on {env.Database.Name}");
        Console.WriteLine();
        Console.WriteLine($"| variant | transactions/s | against order only | CPU µs per transaction: process / {env.Database.Name} |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (var v = 0; v < Variants.Length; v++)
        {
            Console.WriteLine($"| {Variants[v].Name} | {counts[v] / total:N0} | {(double)counts[v] / counts[0]:0.00} | {cpu[v].PerUnit(counts[v])} |");
        }

        var ratio = (double)counts[2] / counts[0];
        Console.WriteLine();
        if (env.Database.Name == "PostgreSQL")
        {
            Console.WriteLine($"with / without the message: **{ratio:0.00}** (target at least 0.8)");
            env.Targets.Record("write-path-ratio", ratio);
        }
        else
        {
            Console.WriteLine($"with / without the message: **{ratio:0.00}** (no target on {env.Database.Name} yet)");
        }

        Console.WriteLine();
    }

    private Task<long> WriteAsync(IHost host, int lines, bool publish, TimeSpan duration) =>
        BenchEnvironment.WriteForAsync(Writers, duration, () => env.PlaceOrderAsync(host, lines, publish));
}
