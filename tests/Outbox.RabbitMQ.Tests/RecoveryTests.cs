using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outbox.Testing;
using Xunit.Abstractions;

namespace Outbox.RabbitMQ.Tests;

/// <summary>
/// A backlog built while the broker was away goes out as soon as it is back, with the default settings:
/// the circuit breaker tries the broker every second, and its closing wakes the poller.
/// </summary>
public sealed class RecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Backlog = 1_000;

    private readonly PostgreSqlTestDatabase _database = new();
    private readonly string _exchange = $"outbox-recovery-{Guid.NewGuid():N}";
    private readonly string _queue = $"outbox-recovery-{Guid.NewGuid():N}";
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
            await broker.DeleteAsync(_exchange, _queue);
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task BrokerBackAfterAnOutage_TheBacklogFlowsWithinTwoSeconds_WithoutAnAttemptCounted_AndTheOutageIsLoggedOnce()
    {
        using var host = Producer();
        await host.StartAsync(); // declares the exchange
        await using (var broker = await Broker.ConnectAsync())
        {
            await broker.DeclareDurableQueueAsync(_queue, _exchange, "orders.placed");
        }

        await PlaceOrdersAsync(host.Services, 0, 1);
        await WaitForQueueAsync(1, TimeSpan.FromSeconds(30));

        await LocalServices.RabbitMQAsync("stop_app");
        await PlaceOrdersAsync(host.Services, 1, Backlog); // each one's send at commit fails, or meets the open circuit
        await Task.Delay(TimeSpan.FromSeconds(3)); // trials fail while the broker is still away
        await LocalServices.StartRabbitMQAppAsync();

        var first = await WaitForQueueAsync(2, TimeSpan.FromSeconds(30));
        var last = await WaitForQueueAsync(Backlog + 1, TimeSpan.FromSeconds(30));
        await host.StopAsync();

        output.WriteLine($"after start_app returned: first message of the backlog in the queue at {first.TotalSeconds:0.00} s, all {Backlog} at {last.TotalSeconds:0.00} s");
        Assert.True(first < TimeSpan.FromSeconds(2), $"The backlog started flowing {first.TotalSeconds:0.00} s after the broker returned.");
        Assert.True(last < TimeSpan.FromSeconds(4), $"The backlog of {Backlog} took {last.TotalSeconds:0.00} s to drain after the broker returned.");
        Assert.Equal((0L, 0L), (await CountAsync("SELECT coalesce(max(attempts), 0)::bigint FROM outbox_messages"), await CountAsync("SELECT count(*) FROM outbox_dead_letters")));
        Assert.Single(_logs.Entries, e => e.EventId.Id is 2 or 4 && e.Level == LogLevel.Warning); // a failed send, or the circuit opening: whichever came first
        Assert.Equal(1, _logs.Entries.Count(e => e.EventId.Id == 23));
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    private async Task<TimeSpan> WaitForQueueAsync(uint count, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        await using var broker = await Broker.ConnectAsync();
        while (await broker.CountAsync(_queue) < count)
        {
            Assert.True(waited.Elapsed < timeout, $"{count} messages did not reach the queue within {timeout}.");
            await Task.Delay(20);
        }

        return waited.Elapsed;
    }

    private static async Task PlaceOrdersAsync(IServiceProvider services, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            db.Orders.Add(new Order { Customer = $"customer-{i % 20}", Total = i });
            await scope.ServiceProvider.GetRequiredService<IOutbox>().PublishAsync(new OrderPlaced(i, "recovery"), new PublishOptions { Key = $"customer-{i % 20}" });
            await db.SaveChangesAsync();
        }
    }

    private Task<long> CountAsync(string sql) => FaultTests.CountAsync(_database, sql);

    // Every dispatch and connection setting at its default.
    private IHost Producer() => ProducerHost.Build(_database, _exchange, _logs, options => options.Route<OrderPlaced>("orders.placed"));
}
