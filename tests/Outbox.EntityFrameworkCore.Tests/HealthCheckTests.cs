using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Outbox.Consumers;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The outbox's health checks on SQLite and the in-memory transport, on a fake clock; the broker and database outages are in the RabbitMQ tests.</summary>
public sealed class HealthCheckTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private OutboxTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await _database.CreateAsync();
        _host = OutboxTestHost.Create(
            _database,
            settings: new Dictionary<string, string?> { ["Outbox:Health:MaxPendingAge"] = "00:01:00" },
            services: services => services.AddSingleton<HandlerScript>().AddHealthChecks().AddOutboxHealthChecks(),
            outbox: outbox => outbox.AddConsumer<OrderPlacedHandler>(consumer => (consumer.Source, consumer.Name) = ("orders.placed", "shipping")));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Database_IsDegradedOnceAnUnsentMessageHasBeenDueLongerThanMaxPendingAge_AndHealthyOnceItIsSent()
    {
        Assert.Equal((HealthStatus.Healthy, "Every message was sent."), await CheckAsync("outbox-database"));

        await _host.PlaceOrderAsync(new OrderPlaced(1, "ada")); // not sent: the test drives the dispatcher
        await _host.PlaceOrderAsync(new OrderPlaced(2, "ada"), new PublishOptions { Delay = TimeSpan.FromHours(1) });
        _host.Time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal((HealthStatus.Healthy, "The most overdue message has been due for 60 s."), await CheckAsync("outbox-database"));

        _host.Time.Advance(TimeSpan.FromSeconds(1));
        var report = await ReportAsync("outbox-database");
        Assert.Equal(
            (HealthStatus.Degraded, "An unsent message has been due for 61 s, more than Outbox:Health:MaxPendingAge (60 s)."),
            (report.Status, report.Description));
        Assert.Equal(61.0, report.Data["oldest_due_seconds"]);

        await _host.DrainAsync(); // the first is sent; the delayed one is due in an hour from its publish
        _host.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal((HealthStatus.Healthy, "No unsent message is due yet."), await CheckAsync("outbox-database"));
    }

    [Fact]
    public async Task Database_WithoutTheOutboxTables_IsUnhealthy_WithTheDatabasesError()
    {
        await using var empty = new SqliteTestDatabase(); // a file, but no tables in it
        await using var host = OutboxTestHost.Create(empty, services: services => services.AddHealthChecks().AddOutboxHealthChecks());

        var report = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "outbox-database")).Entries["outbox-database"];

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.StartsWith("The outbox database is not reachable: SQLite Error 1: 'no such table: outbox_messages'", report.Description, StringComparison.Ordinal);
        Assert.NotNull(report.Exception);
    }

    [Fact]
    public async Task Running_IsUnhealthyUntilTheDispatcherAndConsumersStart_AndOnceTheDispatcherStops()
    {
        var (status, description) = await CheckAsync("outbox-running");
        Assert.Equal((HealthStatus.Unhealthy, "The dispatcher has not started. Consumer shipping has not started."), (status, description));

        var dispatcher = _host.Services.GetRequiredService<Dispatching.OutboxDispatcher>();
        var consumers = _host.Services.GetRequiredService<ConsumerHost>();
        await dispatcher.StartAsync(CancellationToken.None);
        await consumers.StartAsync(CancellationToken.None);
        Assert.Equal((HealthStatus.Healthy, "The dispatcher runs and every consumer reads."), await CheckAsync("outbox-running"));

        await dispatcher.StopAsync(CancellationToken.None);
        Assert.Equal((HealthStatus.Unhealthy, "The dispatcher has stopped."), await CheckAsync("outbox-running"));

        await consumers.StopAsync(CancellationToken.None);
        Assert.Equal((HealthStatus.Unhealthy, "The dispatcher has stopped. Consumer shipping has stopped."), await CheckAsync("outbox-running"));
    }

    [Fact]
    public async Task Transport_NamesEachTransportInUse_WithItsAnswer()
    {
        var report = await ReportAsync("outbox-transport");

        Assert.Equal((HealthStatus.Healthy, "InMemory: Nothing to reach."), (report.Status, report.Description));
        Assert.Equal("Healthy", report.Data["InMemory"]);
    }

    private async Task<(HealthStatus, string?)> CheckAsync(string name)
    {
        var report = await ReportAsync(name);
        return (report.Status, report.Description);
    }

    private async Task<HealthReportEntry> ReportAsync(string name) =>
        (await _host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name)).Entries[name];
}
