using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Outbox.Kafka.Tests;

/// <summary>The transport health check over Kafka: Unhealthy within seconds of the broker going down, Healthy once it is back.</summary>
public sealed class HealthTests : KafkaScenarios
{
    [Fact]
    public async Task BrokerDown_TransportCheckIsUnhealthyWithinSeconds_AndHealthyOnceItIsBack()
    {
        await using var host = Host(services: s => s.AddHealthChecks().AddOutboxHealthChecks());
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var up = await WaitForAsync(health, HealthStatus.Healthy);
        Assert.Equal($"Kafka: 1 brokers answer at {Cluster.BootstrapServers}.", up.Description);

        Cluster.BrokerDown();
        var down = await WaitForAsync(health, HealthStatus.Unhealthy);
        Assert.StartsWith($"Kafka: Kafka at {Cluster.BootstrapServers} did not answer within 2 s", down.Description, StringComparison.Ordinal);

        Cluster.BrokerUp();
        await WaitForAsync(health, HealthStatus.Healthy);
    }

    private static async Task<HealthReportEntry> WaitForAsync(HealthCheckService health, HealthStatus expected)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var entry = (await health.CheckHealthAsync(r => r.Name == "outbox-transport")).Entries["outbox-transport"];
            if (entry.Status == expected)
            {
                return entry;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"The transport check was {entry.Status} ({entry.Description}) 10 s later, not {expected}.");
            await Task.Delay(100);
        }
    }
}
