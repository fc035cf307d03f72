using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox.Transport;

namespace Outbox.Benchmarks;

/// <summary>
/// (2) Relay throughput from a backlog of pending rows to the in-memory transport.
/// </summary>
internal sealed class RelayThroughputScenario(BenchEnvironment env) : Scenario
{
    public override string Section => "2";

    public override async Task RunAsync()
    {
        await RelayThroughputAsync(env.Quick ? 20_000 : 100_000);
    }

    private async Task RelayThroughputAsync(int rows)
    {
        Console.WriteLine($"## 2. Relay throughput from a backlog of {rows:N0} rows on {env.Database.Name} (in-memory transport)");
        Console.WriteLine();
        Console.WriteLine("| backlog | batch size | seconds | messages/s |");
        Console.WriteLine("|---|---|---|---|");
        // 0: the default (claims grow from 100 to Dispatch:BatchSize, 1,000, under a backlog).
        foreach (var (batchSize, keys) in new[] { (100, 0), (500, 0), (0, 0), (0, 1000), (0, 1) })
        {
            await env.ResetAsync();
            await env.SeedBacklogAsync(rows, keys);
            using var host = env.BuildHost(batchSize == 0 ? [] : new Dictionary<string, string?> { ["Outbox:Dispatch:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            var transport = host.Services.GetRequiredService<InMemoryTransport>();
            var watch = Stopwatch.StartNew();
            await host.StartAsync();
            while (transport.Sent.Count < rows)
            {
                await Task.Delay(5);
            }

            watch.Stop();
            await host.StopAsync();
            var backlog = keys switch { 0 => "no keys", 1 => "one key (in order)", _ => $"{keys:N0} keys (in order per key)" };
            Console.WriteLine($"| {backlog} | {(batchSize == 0 ? "default (100 growing to 1,000)" : batchSize)} | {watch.Elapsed.TotalSeconds:0.00} | {rows / watch.Elapsed.TotalSeconds:N0} |");
        }

        // The baseline: the same messages handed straight to the transport, with no database.
        var baseline = new InMemoryTransport();
        var messages = Enumerable.Range(0, rows).Select(i => new TransportMessage(Guid.CreateVersion7(), "orders.placed", "OrderPlaced", null, new byte[60], "application/json", new Dictionary<string, string>(), DateTimeOffset.UtcNow)).ToList();
        var raw = Stopwatch.StartNew();
        foreach (var chunk in messages.Chunk(500))
        {
            await baseline.SendAsync(chunk, CancellationToken.None);
        }

        raw.Stop();
        Console.WriteLine($"| raw transport, no database | 500 | {raw.Elapsed.TotalSeconds:0.00} | {rows / raw.Elapsed.TotalSeconds:N0} |");
        Console.WriteLine();
    }
}
