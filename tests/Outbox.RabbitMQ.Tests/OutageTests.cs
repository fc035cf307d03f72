using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outbox.Testing;
using Xunit.Abstractions;

namespace Outbox.RabbitMQ.Tests;

/// <summary>
/// A service on a real host through outages of the broker and the database from its first second: it starts,
/// says so once per component, and serves once the server is back, by itself.
/// </summary>
public sealed class OutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Orders = 1_000;

    private readonly PostgreSqlTestDatabase _database = new();
    private readonly string _exchange = $"outbox-outage-{Guid.NewGuid():N}";
    private readonly string _queue = $"outbox-outage-{Guid.NewGuid():N}";
    private readonly string _consumer = $"outbox-outage-consumer-{Guid.NewGuid():N}";
    private readonly LogCapture _logs = new();

    public async Task InitializeAsync()
    {
        LocalServices.RequireLocal();
        await _database.CreateAsync();
        await using var broker = await Broker.ConnectAsync();
        await broker.ExchangeDeclareAsync(_exchange, "topic");
        await broker.DeclareDurableQueueAsync(_queue, _exchange, "orders.placed");
        await broker.DeclareDurableQueueAsync(_consumer, _exchange, "orders.placed"); // the consumer's queue, there from an earlier run
    }

    public async Task DisposeAsync()
    {
        // Whatever the test left stopped runs again for the next one.
        await LocalServices.StartRabbitMQAppAsync();
        await LocalServices.RunAsync("read -r version cluster _ < <(pg_lsclusters -h | head -n 1) && (pg_ctlcluster \"$version\" \"$cluster\" status >/dev/null || pg_ctlcluster \"$version\" \"$cluster\" start)");
        await using (var broker = await Broker.ConnectAsync())
        {
            await broker.DeleteAsync(_exchange, _queue, _consumer, _consumer + ".delay");
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task StartedWithTheBrokerDown_TheServiceStarts_IsUnhealthy_CommitsOrders_AndRelaysThemWithinTwoSecondsOfItsReturn()
    {
        await LocalServices.RabbitMQAsync("stop_app");
        using var host = Service();
        await host.StartAsync();

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Entries["outbox-transport"].Status);
        Assert.Contains("Could not connect to RabbitMQ at amqp://guest:***@127.0.0.1:5672/", health.Entries["outbox-transport"].Description, StringComparison.Ordinal);
        await PlaceOrdersAsync(host.Services, Orders);

        await LocalServices.StartRabbitMQAppAsync();
        var first = await WaitForQueueAsync(1, TimeSpan.FromSeconds(30));
        var last = await WaitForQueueAsync(Orders, TimeSpan.FromSeconds(30));
        await WaitForHandledAsync(host.Services, Orders);
        await host.StopAsync();

        output.WriteLine($"after start_app returned: first order in the queue at {first.TotalSeconds:0.00} s, all {Orders} at {last.TotalSeconds:0.00} s");
        Assert.True(first < TimeSpan.FromSeconds(2), $"The backlog started flowing {first.TotalSeconds:0.00} s after the broker returned.");
        var warnings = Warnings();
        Assert.Single(warnings, w => w.Category.EndsWith("RabbitMQStartup", StringComparison.Ordinal) && w.EventId.Id == 108);
        AssertOneWarningPerComponent(warnings, outages: 1);
    }

    [Fact]
    public async Task StartedWithTheDatabaseDown_TheServiceStarts_IsUnhealthy_AndServesOnceItIsBack()
    {
        await LocalServices.PostgreSqlAsync("stop");
        using var host = Service();
        await host.StartAsync();

        var checks = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Unhealthy, (await checks.CheckHealthAsync()).Entries["outbox-database"].Status);
        await LocalServices.PostgreSqlAsync("start");
        await WaitAsync(async () => (await checks.CheckHealthAsync()).Status == HealthStatus.Healthy, "the service to report itself healthy");

        await PlaceOrdersAsync(host.Services, 20);
        await WaitForHandledAsync(host.Services, 20);
        await host.StopAsync();
        AssertOneWarningPerComponent(Warnings(), outages: 1);
    }

    [Fact]
    public async Task BrokerAndDatabaseOutagesUnderTraffic_EachComponentLogsOneWarningPerOutage_AndNoError()
    {
        using var host = Service();
        await host.StartAsync();
        using var stop = new CancellationTokenSource();
        var committed = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await PlaceOrdersAsync(host.Services, 1);
                    committed++;
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // The application's own SaveChanges fails while the database is down.
                }

                await Task.Delay(50);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(2));
        await LocalServices.RabbitMQAsync("stop_app");
        await Task.Delay(TimeSpan.FromSeconds(8));
        await LocalServices.StartRabbitMQAppAsync();
        await Task.Delay(TimeSpan.FromSeconds(8));
        await LocalServices.PostgreSqlAsync("stop");
        await PublishToTheBrokerAsync(50); // deliveries for the consumer while its database is down
        await Task.Delay(TimeSpan.FromSeconds(8));
        await LocalServices.PostgreSqlAsync("start");
        await Task.Delay(TimeSpan.FromSeconds(4));
        await stop.CancelAsync();
        await writer;
        await WaitForHandledAsync(host.Services, committed + 50);
        await host.StopAsync();

        var warnings = Warnings();
        output.WriteLine(string.Join(Environment.NewLine, warnings.Select(w => $"{w.Level} {w.Category}[{w.EventId.Id}] {w.Message}")));
        Assert.DoesNotContain(warnings, w => w.Level >= LogLevel.Error);
        AssertOneWarningPerComponent(warnings, outages: 2);
    }

    // The outbox's own lines; EF Core and Npgsql report each failed command themselves, at their own levels.
    private List<LogEntry> Warnings() => [.. _logs.Entries.Where(e => e.Level >= LogLevel.Warning && e.Category.StartsWith("Outbox", StringComparison.Ordinal))];

    private static void AssertOneWarningPerComponent(List<LogEntry> warnings, int outages)
    {
        Assert.DoesNotContain(warnings, w => w.Level >= LogLevel.Error);
        foreach (var component in warnings.GroupBy(w => (w.Category, Consumer: w.Message.StartsWith("Consumer ", StringComparison.Ordinal) ? w.Message.Split(' ')[1] : "")))
        {
            Assert.True(
                component.Count() <= outages,
                $"{component.Key.Category} {component.Key.Consumer} logged {component.Count()} warnings for {outages} outage(s): {string.Join(" | ", component.Select(w => w.Message))}");
        }
    }

    private IHost Service() => ProducerHost.Build(
        _database,
        _exchange,
        _logs,
        options => options.Route<OrderPlaced>("orders.placed"),
        configure: outbox =>
        {
            outbox.Services.AddSingleton<HandlerScript>().AddHealthChecks().AddOutboxHealthChecks();
            outbox.AddConsumer<OrderPlacedHandler>(consumer => (consumer.Source, consumer.Name) = ("orders.placed", _consumer));
        });

    private static int _next;

    private static async Task PlaceOrdersAsync(IServiceProvider services, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = Interlocked.Increment(ref _next);
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            db.Orders.Add(new Order { Customer = "outage", Total = id });
            await scope.ServiceProvider.GetRequiredService<IOutbox>().PublishAsync(new OrderPlaced(id, "outage"), new PublishOptions { Key = $"customer-{id % 20}" });
            await db.SaveChangesAsync();
        }
    }

    // As another producer would: straight to the exchange, each with its own id.
    private async Task PublishToTheBrokerAsync(int count)
    {
        await using var broker = await Broker.ConnectAsync();
        for (var i = 0; i < count; i++)
        {
            var id = Interlocked.Increment(ref _next);
            await broker.PublishAsync(
                _exchange,
                "orders.placed",
                new global::RabbitMQ.Client.BasicProperties
                {
                    MessageId = Guid.NewGuid().ToString(),
                    Type = "OrderPlaced",
                    ContentType = "application/json",
                    Headers = new Dictionary<string, object?> { ["outbox-key"] = $"customer-{id % 20}" },
                },
                $$"""{"orderId":{{id}},"customer":"direct"}""");
        }
    }

    private async Task WaitForHandledAsync(IServiceProvider services, int count) => await WaitAsync(
        async () =>
        {
            await using var scope = services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ShopContext>().Orders.CountAsync(o => o.Customer == $"handled by {_consumer}") >= count;
        },
        $"{count} orders handled by the consumer");

    private async Task<TimeSpan> WaitForQueueAsync(uint count, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        await using var broker = await Broker.ConnectAsync();
        await broker.WaitForCountAsync(_queue, count, timeout);
        return waited.Elapsed;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"Gave up waiting for {what}.");
            await Task.Delay(200);
        }
    }
}
