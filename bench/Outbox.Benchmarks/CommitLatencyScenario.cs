using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox.Transport;

namespace Outbox.Benchmarks;

/// <summary>
/// (3) Commit-to-send latency at a steady rate, from several writers as a web application has.
/// </summary>
internal sealed class CommitLatencyScenario(BenchEnvironment env) : Scenario
{
    public override string Section => "3";

    public override async Task RunAsync()
    {
        await LatencyAsync(messagesPerSecond: 500, seconds: env.Quick ? 4 : 20);
    }

    private async Task LatencyAsync(int messagesPerSecond, int seconds)
    {
        await env.ResetAsync();
        using var host = await env.StartHostAsync(new Dictionary<string, string?>());
        var received = host.Services.GetRequiredService<InMemoryTransport>().Subscribe("orders.placed");
        Func<Task<Guid>> nextArrival = async () => (await received.ReadAsync()).MessageId;

        // Not counted: the process compiles and tiers up its code in its first seconds (see section 7).
        await env.MeasureLatencyAsync(host, nextArrival, messagesPerSecond, env.Quick ? 3 : 10);
        var run = await env.MeasureLatencyAsync(host, nextArrival, messagesPerSecond, seconds);
        await host.StopAsync();
        Console.WriteLine($"## 3. Commit-to-send latency at {messagesPerSecond} messages/s for {seconds} s ({run.Describe()})");
        run.PrintTable();
        Console.WriteLine("Measured from SaveChanges returning (the commit) to the transport accepting the message; target p99 under 10 ms.");
        env.Targets.Record("latency-p99-ms", Stats.Percentile(run.Latencies, 99));
    }
}
