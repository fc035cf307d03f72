using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Testing;
using RabbitMQ.Client;

namespace Outbox.RabbitMQ.Tests;

public sealed class PublishingTests : RabbitMQScenarios
{
    [Fact]
    public async Task Publish_ReachesAPlainClient_WithIdTypeKeyCorrelationAndTraceContext()
    {
        var host = Host();
        var queue = await Broker.BindQueueAsync(Exchange, "orders.placed");
        using var activity = new Activity("place-order").SetIdFormat(ActivityIdFormat.W3C).Start();

        var id = await host.PlaceOrderAsync(new OrderPlaced(7, "ada"), new PublishOptions
        {
            Key = "customer-ada",
            Headers = new Dictionary<string, string> { ["correlation-id"] = "basket-42", ["tenant"] = "eu" },
        });
        await host.DrainAsync();

        var message = Assert.Single(await Broker.TakeAllAsync(queue));
        var properties = message.BasicProperties;
        Assert.Equal(id.ToString(), properties.MessageId);
        Assert.Equal("OrderPlaced", properties.Type);
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal("basket-42", properties.CorrelationId);
        Assert.Equal(DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.Equal("customer-ada", Header(properties, "outbox-key"));
        Assert.Equal("eu", Header(properties, "tenant"));
        Assert.StartsWith($"00-{activity.TraceId}-", Header(properties, "traceparent"));
        Assert.Equal(7, JsonDocument.Parse(message.Body).RootElement.GetProperty("orderId").GetInt64());
    }

    [Fact]
    public async Task UnroutableDestination_IsAFailedSend_AndEndsInTheDeadLetterTable()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Dispatch:MaxAttempts"] = "2" });

        var id = await host.PlaceOrderAsync(new OrderPlaced(1, "nobody listens"));
        await host.DrainAsync();

        var row = Assert.Single(await host.RowsAsync());
        Assert.NotEqual(Storage.MessageStatus.Dispatched, row.Status);
        Assert.Contains($"unroutable: no queue is bound to routing key 'orders.placed' on exchange '{Exchange}'", row.LastError);

        host.Time.Advance(TimeSpan.FromMinutes(10));
        await host.PollUntilIdleAsync();
        var dead = Assert.Single(await host.DeadLetters.ListAsync());
        Assert.Equal(id, dead.MessageId);
        Assert.Contains("unroutable", dead.Reason + dead.LastError);
    }

    [Fact]
    public async Task TenThousandMessages_ArriveOnce_Each_InKeyOrder()
    {
        const int count = 10_000;
        var host = Host(new Dictionary<string, string?> { ["Outbox:Dispatch:BatchSize"] = "500" });
        var queue = await Broker.BindQueueAsync(Exchange, "orders.placed");
        await PlaceOrdersAsync(host, count, perTransaction: 500, key: i => $"customer-{i % 50}");

        await host.PollUntilIdleAsync();

        // Every send was confirmed before the relay finished, so the queue already holds all of them.
        Assert.Equal((uint)count, await Broker.CountAsync(queue));
        var received = await Broker.TakeAllAsync(queue);
        var ids = received.Select(m => m.BasicProperties.MessageId).ToList();
        Assert.Equal(count, ids.Distinct().Count());
        var orderIds = received.Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("orderId").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), orderIds.Order());
        foreach (var key in received.GroupBy(m => Header(m.BasicProperties, "outbox-key")))
        {
            var sequence = key.Select(m => JsonDocument.Parse(m.Body).RootElement.GetProperty("orderId").GetInt64()).ToList();
            Assert.Equal(sequence.Order(), sequence);
        }
    }

    [Fact]
    public async Task BrokerStoppedDuringARelay_EverythingArrivesAfterItReturns()
    {
        const int count = 5_000;
        var logs = new LogCapture();
        var host = Host(
            new Dictionary<string, string?>
            {
                ["Outbox:Dispatch:BatchSize"] = "50",
                ["Outbox:Dispatch:MaxAttempts"] = "1000",
                ["Outbox:RabbitMQ:RecoveryInterval"] = "00:00:00.500",
            },
            services: s => s.AddSingleton<ILoggerProvider>(logs));
        var queue = $"outbox-test-restart-{Guid.NewGuid():N}";
        await Broker.DeclareDurableQueueAsync(queue, Exchange, "orders.placed");
        await PlaceOrdersAsync(host, count, perTransaction: 500, key: i => $"customer-{i % 20}");

        // Relay in the background, a batch every 50 ms so the broker stops mid-way. The fake clock moves a
        // second per batch, as a running dispatcher's would (while the circuit is open, every poll claims
        // rows and hands them back, so a clock that only moved when nothing was claimed would keep the
        // circuit open for good), and by ten minutes whenever nothing is due, so rows that failed while
        // the broker was away come due again at once.
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var relay = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await host.PollAsync() > 0)
                {
                    host.Time.Advance(TimeSpan.FromSeconds(1));
                    await Task.Delay(50);
                    continue;
                }

                if (await host.Store.GetEarliestDueUnsentAsync(CancellationToken.None) is null)
                {
                    return;
                }

                host.Time.Advance(TimeSpan.FromMinutes(10));
                await Task.Delay(20);
            }
        });

        await Broker.WaitForCountAsync(queue, 500, TimeSpan.FromSeconds(60));
        await Broker.DisposeAsync();
        await Broker.CtlAsync("stop_app");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // the broker stays away for a while
            Assert.False(relay.IsCompleted, "The relay finished while the broker was stopped.");
        }
        finally
        {
            await Broker.CtlAsync("start_app");
            await Broker.CtlAsync("await_startup");
        }

        await relay.WaitAsync(TimeSpan.FromMinutes(3));
        ReplaceBroker(await Broker.ConnectAsync());
        var received = await Broker.TakeAllAsync(queue);
        await Broker.DeleteAsync(null, queue);
        var ids = received.Select(m => m.BasicProperties.MessageId).ToHashSet();

        // At least once: a send the broker took but never confirmed may come twice.
        Assert.True(ids.Count == count, $"{ids.Count} of {count} messages arrived. The outbox's log, each line once:\n{string.Join("\n", logs.AtLeast(LogLevel.Information).Where(e => e.Contains(" Outbox.", StringComparison.Ordinal)).Distinct())}");
        var rows = await host.RowsAsync();
        Assert.All(rows, r => Assert.Equal(Storage.MessageStatus.Dispatched, r.Status));
    }

    private static string? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
}
