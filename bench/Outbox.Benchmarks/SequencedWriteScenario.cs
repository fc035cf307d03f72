using Microsoft.Extensions.Hosting;

namespace Outbox.Benchmarks;

/// <summary>
/// (11) What numbering a route costs the writers: eight writers commit an order with one keyed outbox
/// message as fast as they can, dispatcher stopped, on the same route unnumbered and numbered
/// (<c>Sequenced</c>), once with a key of its own per transaction (an order's id) and once with every
/// transaction on one key. The variants take turns going first in each round, as in section 10.
/// </summary>
internal sealed class SequencedWriteScenario(BenchEnvironment env) : Scenario
{
    private const int Writers = 8;

    private static readonly (string Name, bool Sequenced, bool OneKey)[] Variants =
    [
        ("a key per transaction, unnumbered", false, false),
        ("a key per transaction, numbered", true, false),
        ("one key for all, unnumbered", false, true),
        ("one key for all, numbered", true, true),
    ];

    public override string Section => "11";

    public override async Task RunAsync()
    {
        var seconds = TimeSpan.FromSeconds(env.Quick ? 2 : 5);
        await env.ResetAsync();
        using var plain = env.BuildHost([]);
        using var numbered = env.BuildHost(new Dictionary<string, string?> { ["Outbox:Routes:OrderPlaced:Sequenced"] = "true", ["Outbox:ServiceName"] = "bench" });
        foreach (var host in new[] { plain, numbered })
        {
            await WriteAsync(host, oneKey: false, TimeSpan.FromSeconds(1)); // warm-up: JIT, connection pool
        }

        var counts = new long[Variants.Length];
        var cpu = new CpuUse[Variants.Length];
        for (var round = 0; round < Variants.Length; round++)
        {
            for (var turn = 0; turn < Variants.Length; turn++)
            {
                var v = (round + turn) % Variants.Length;
                var meter = new CpuMeter();
                counts[v] += await WriteAsync(Variants[v].Sequenced ? numbered : plain, Variants[v].OneKey, seconds);
                cpu[v] += meter.Elapsed();
            }
        }

        var total = (seconds * Variants.Length).TotalSeconds;
        Console.WriteLine($"## 11. Numbered routes: {Writers} writers, an order and one keyed message per transaction, {Variants.Length} rounds of {seconds.TotalSeconds:0} s per variant, dispatcher stopped");
        Console.WriteLine();
        Console.WriteLine("| variant | transactions/s | numbered / unnumbered | CPU µs per transaction: process / PostgreSQL |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (var v = 0; v < Variants.Length; v++)
        {
            var against = Variants[v].Sequenced ? $"{(double)counts[v] / counts[v - 1]:0.00}" : "";
            Console.WriteLine($"| {Variants[v].Name} | {counts[v] / total:N0} | {against} | {cpu[v].PerUnit(counts[v])} |");
        }

        Console.WriteLine();
    }

    private Task<long> WriteAsync(IHost host, bool oneKey, TimeSpan duration) =>
        BenchEnvironment.WriteForAsync(Writers, duration, () => env.PlaceOrderAsync(host, 0, publish: true, oneKey ? "hot" : Guid.NewGuid().ToString("N")));
}
