using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Outbox.Testing;
using Xunit.Abstractions;

namespace Outbox.RabbitMQ.Tests;

/// <summary>
/// The outbox's health checks on a service with a consumer, while the broker and then the database are
/// stopped and started again: each outage turns its check Unhealthy within seconds, and its end Healthy.
/// </summary>
public sealed class HealthTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private readonly PostgreSqlTestDatabase _database = new();
    private readonly string _exchange = $"outbox-health-{Guid.NewGuid():N}";
    private readonly string _consumer = $"outbox-health-{Guid.NewGuid():N}";
    private readonly LogCapture _logs = new();

    public async Task InitializeAsync()
    {
        LocalServices.RequireLocal();
        await _database.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await using (var broker = await Broker.ConnectAsync())
        {
            await broker.DeleteAsync(_exchange, _consumer);
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task BrokerOrDatabaseStopped_ItsCheckTurnsUnhealthyWithinSeconds_AndHealthyWhenItReturns()
    {
        using var host = ProducerHost.Build(_database, _exchange, _logs, options => options.Route<OrderPlaced>("orders.placed"), configure: outbox =>
        {
            outbox.Services.AddSingleton<HandlerScript>().AddHealthChecks().AddOutboxHealthChecks();
            outbox.AddConsumer<OrderPlacedHandler>(consumer => (consumer.Source, consumer.Name) = ("orders.placed", _consumer));
        });
        await host.StartAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        await WaitForAsync(health, "the start", report => report.Status == HealthStatus.Healthy);
        Assert.Equal(["outbox-database", "outbox-running", "outbox-transport"], (await health.CheckHealthAsync()).Entries.Keys.Order());

        await LocalServices.RabbitMQAsync("stop_app");
        try
        {
            var down = await WaitForAsync(health, "stop_app", report => report.Entries["outbox-transport"].Status == HealthStatus.Unhealthy);
            Assert.Contains("RabbitMQ: ", down.Entries["outbox-transport"].Description, StringComparison.Ordinal);
            Assert.Equal(HealthStatus.Healthy, down.Entries["outbox-database"].Status);
            await WaitForAsync(health, "stop_app", report => report.Entries["outbox-running"].Description!.Contains($"Consumer {_consumer} cannot read", StringComparison.Ordinal));
        }
        finally
        {
            await LocalServices.StartRabbitMQAppAsync();
        }

        await WaitForAsync(health, "start_app", report => report.Status == HealthStatus.Healthy);

        await LocalServices.PostgreSqlAsync("stop");
        try
        {
            var down = await WaitForAsync(health, "the database's stop", report => report.Entries["outbox-database"].Status == HealthStatus.Unhealthy);
            // PostgreSQL's own words (a pooled connection terminated, or the connect refused), not EF Core's retry wrapper's.
            Assert.Matches("^The outbox database is not reachable: (57P01: terminating connection|Failed to connect to 127.0.0.1)", down.Entries["outbox-database"].Description);
            Assert.Equal(HealthStatus.Healthy, down.Entries["outbox-transport"].Status);
        }
        finally
        {
            await LocalServices.PostgreSqlAsync("start");
        }

        await WaitForAsync(health, "the database's start", report => report.Status == HealthStatus.Healthy);
        await host.StopAsync();
    }

    private async Task<HealthReport> WaitForAsync(HealthCheckService health, string after, Func<HealthReport, bool> expected)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var report = await health.CheckHealthAsync();
            if (expected(report))
            {
                output.WriteLine($"{waited.Elapsed.TotalSeconds:0.0} s after {after}: {string.Join(" | ", report.Entries.Select(e => $"{e.Key} {e.Value.Status}: {e.Value.Description}"))}");
                return report;
            }

            Assert.True(
                waited.Elapsed < Within,
                $"Not as expected {Within.TotalSeconds} s after {after}: {string.Join(" | ", report.Entries.Select(e => $"{e.Key} {e.Value.Status}: {e.Value.Description}"))}");
            await Task.Delay(200);
        }
    }
}
