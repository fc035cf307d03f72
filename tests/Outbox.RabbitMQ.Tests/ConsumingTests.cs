using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outbox.RabbitMQ.Consuming;
using Outbox.Testing;
using Outbox.Transport;
using RabbitMQ.Client;

namespace Outbox.RabbitMQ.Tests;

public sealed class ConsumingTests : RabbitMQScenarios
{
    private readonly string _consumer = $"payments-{Guid.NewGuid():N}";

    [Fact]
    public async Task RedeliveredMessage_AfterItsAckWasLost_HasOneEffect()
    {
        var (first, firstReceiver) = ConsumerHost(loseFirstAck: true);
        await Consumers(first).StartAsync(CancellationToken.None);
        var id = await first.PlaceOrderAsync(new OrderPlaced(1, "ada"));
        await first.DrainAsync();
        await WaitAsync(() => firstReceiver.Settled.Count == 1, "the first delivery");
        await Consumers(first).StopAsync(CancellationToken.None); // its channel closes: the broker takes the message back

        var (second, secondReceiver) = ConsumerHost();
        await Consumers(second).StartAsync(CancellationToken.None);
        await WaitAsync(() => secondReceiver.Settled.Count == 1, "the redelivery");
        await Consumers(second).StopAsync(CancellationToken.None);

        Assert.Equal([(id, 1, "ack lost")], firstReceiver.Settled);
        Assert.Equal([(id, 2, "acked")], secondReceiver.Settled);
        Assert.Equal(1, Script.Calls);
        Assert.Equal(1, await HandledOrdersAsync(second));
        Assert.Equal(0u, await Broker.CountAsync(_consumer));
    }

    [Fact]
    public async Task FailingHandler_WaitsInTheDelayQueue_WhileTheNextMessageIsHandled()
    {
        var (host, receiver) = ConsumerHost(settings: new Dictionary<string, string?>
        {
            ["Outbox:Consumers:RedeliveryDelay"] = "00:00:00.500",
            ["Outbox:Consumers:MaxRedeliveryDelay"] = "00:00:00.500",
            ["Outbox:Consumers:MaxConcurrency"] = "1", // one at a time, so the order of settlements is known
        });
        Script.FailFirst = 1;
        await Consumers(host).StartAsync(CancellationToken.None);
        var failing = await host.PlaceOrderAsync(new OrderPlaced(1, "fails once"));
        var next = await host.PlaceOrderAsync(new OrderPlaced(2, "next"));
        await host.DrainAsync();

        await WaitAsync(() => receiver.Settled.Count == 3, "both messages");
        await Consumers(host).StopAsync(CancellationToken.None);

        Assert.Equal([(failing, 1, "delayed"), (next, 1, "acked"), (failing, 2, "acked")], receiver.Settled);
        Assert.Equal([2L, 1L], Script.Handled.Select(h => h.OrderId));
        Assert.Equal(2, await HandledOrdersAsync(host));
    }

    [Fact]
    public async Task PerKey_AFailingMessageHoldsBackItsKey_WhileAnotherKeyFlows_AndIsRetriedInPlace()
    {
        var (host, receiver) = ConsumerHost(settings: new Dictionary<string, string?>
        {
            ["Outbox:Consumers:RedeliveryDelay"] = "00:00:05",
            ["Outbox:Consumers:MaxConcurrency"] = "4",
        });
        Script.FailOrder[1] = 2;
        await Consumers(host).StartAsync(CancellationToken.None);
        var head = await host.PlaceOrderAsync(new OrderPlaced(1, "a"), new PublishOptions { Key = "a" });
        foreach (var (order, key) in new[] { (2, "a"), (3, "a"), (11, "b"), (12, "b") })
        {
            await host.PlaceOrderAsync(new OrderPlaced(order, key), new PublishOptions { Key = key });
        }

        await host.DrainAsync();

        // Key b is handled while a's head waits out its backoff on the test's clock.
        await WaitAsync(() => Script.Handled.Count(h => h.Key == "b") == 2, "key b");
        Assert.DoesNotContain(Script.Handled, h => h.Key == "a");
        await WaitAsync(
            () =>
            {
                host.Time.Advance(TimeSpan.FromSeconds(1));
                return receiver.Settled.Count == 5;
            },
            "every message to be settled");
        await Consumers(host).StopAsync(CancellationToken.None);

        Assert.Equal([1L, 2, 3], Script.Handled.Where(h => h.Key == "a").Select(h => h.OrderId));
        // Retried in place: acknowledged once, on the broker's first delivery, after three attempts.
        Assert.Equal((head, 1, "acked"), Assert.Single(receiver.Settled, s => s.MessageId == head));
        Assert.Equal([1, 2, 3], Script.Contexts.Where(c => c.MessageId == head).Select(c => c.DeliveryAttempt));
        Assert.DoesNotContain(receiver.Settled, s => s.Settled == "delayed");
        Assert.Equal(0u, await Broker.CountAsync(_consumer));
    }

    [Fact]
    public async Task RequeuedDeadLetter_GoesToThatConsumersQueueOnly_NotToOtherSubscribersOfTheSource()
    {
        var outsider = await Broker.BindQueueAsync(Exchange, "orders.placed");
        var (host, receiver) = ConsumerHost(settings: new Dictionary<string, string?> { ["Outbox:Consumers:MaxDeliveries"] = "1" });
        Script.FailFirst = 1;
        await Consumers(host).StartAsync(CancellationToken.None);
        var id = await host.PlaceOrderAsync(new OrderPlaced(1, "requeued"));
        await host.DrainAsync();
        await WaitAsync(() => receiver.Settled.Count == 1, "the failing delivery to be dead-lettered");
        Assert.Equal("max-deliveries", Assert.Single(await host.DeadLetters.ListAsync()).Reason);

        Assert.True(await host.DeadLetters.RequeueAsync(id));
        await host.PollUntilAllSentAsync();
        await WaitAsync(() => receiver.Settled.Count == 2, "the requeued message to be handled");
        await Consumers(host).StopAsync(CancellationToken.None);

        Assert.Equal(1, await HandledOrdersAsync(host));
        var seen = await Broker.TakeAllAsync(outsider);
        Assert.Equal([id.ToString()], seen.Select(m => m.BasicProperties.MessageId));
    }

    [Fact]
    public async Task SingleActiveConsumer_TwoInstancesOnOneQueue_OneReceives_TheOtherTakesOver_PerKeyOrderHolds()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Outbox:RabbitMQ:SingleActiveConsumer"] = "true",
            ["Outbox:Consumers:MaxConcurrency"] = "4",
        };
        HandlerScript[] scripts = [new(), new()];
        var instances = scripts.Select(script => Host(settings, _consumer, s => s.Replace(ServiceDescriptor.Singleton(script)))).ToArray();
        foreach (var instance in instances)
        {
            await Consumers(instance).StartAsync(CancellationToken.None);
        }

        await PublishAsync(instances[0], 0, 100);
        await WaitAsync(() => scripts.Sum(s => s.Handled.Count) == 100, "the first 100 messages");
        var active = Array.FindIndex(scripts, s => s.Handled.Count == 100);
        Assert.True(active >= 0, $"Both instances received messages: {scripts[0].Handled.Count} and {scripts[1].Handled.Count}.");

        // A delivery the stopped instance was handling when it stopped may come to the other one again:
        // handled twice when the first handling did not commit, skipped by the inbox when it did.
        await Consumers(instances[active]).StopAsync(CancellationToken.None);
        await PublishAsync(instances[0], 100, 100);
        await WaitAsync(
            () => scripts.SelectMany(s => s.Handled).Select(h => h.OrderId).Distinct().Count() == 200 && !scripts[1 - active].Handled.IsEmpty,
            "the other instance to take over",
            () => $"handled: {scripts[active].Handled.Count} by the stopped instance, {scripts[1 - active].Handled.Count} by the other; rows unsent: {instances[0].RowsAsync().GetAwaiter().GetResult().Count(r => r.Status != Storage.MessageStatus.Dispatched)}");
        await Consumers(instances[1 - active]).StopAsync(CancellationToken.None);

        var handled = scripts[active].Handled.Concat(scripts[1 - active].Handled).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), handled.Select(h => h.OrderId).Distinct().Order());
        foreach (var key in handled.GroupBy(h => h.Key))
        {
            Assert.Equal(key.Select(h => h.OrderId).Order(), key.Select(h => h.OrderId));
        }

        static async Task PublishAsync(OutboxTestHost host, int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                await host.PlaceOrderAsync(new OrderPlaced(i, "sac"), new PublishOptions { Key = $"k{i % 5}" });
            }

            await host.DrainAsync();
        }
    }

    [Fact]
    public async Task ConnectionsClosedByTheBroker_TheConsumerReadsAgain_AndKeepsHandling()
    {
        // The client recovers the connection; the consumer host reads again and handles what comes after.
        var (host, receiver) = ConsumerHost(settings: new Dictionary<string, string?> { ["Outbox:RabbitMQ:RecoveryInterval"] = "00:00:01" });
        await Consumers(host).StartAsync(CancellationToken.None);
        await host.PlaceOrderAsync(new OrderPlaced(1, "before"));
        await host.DrainAsync();
        await WaitAsync(() => receiver.Settled.Count == 1, "the first message");

        await LocalServices.RabbitMQAsync("close_all_connections", "'closed by the test'");
        ReplaceBroker(await Broker.ConnectAsync()); // the test's own connection was closed too
        await WaitAsync(
            () =>
            {
                host.Time.Advance(TimeSpan.FromSeconds(1)); // the host reads again after RedeliveryDelay, on the test's clock
                return receiver.Reads >= 2;
            },
            "the consumer to read again after the recovery");
        await host.PlaceOrderAsync(new OrderPlaced(2, "after"));
        var waited = Stopwatch.StartNew();
        while (Script.Handled.Count < 2)
        {
            // Sent at commit, or by the poller once its backoff has passed, as a running host would.
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "Gave up waiting for the message published after the recovery.");
            await host.DrainAsync();
            await host.PollAsync();
            host.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        await Consumers(host).StopAsync(CancellationToken.None);

        Assert.Equal([1L, 2L], Script.Handled.Select(h => h.OrderId));
    }

    [Fact]
    public async Task UnreadableMessage_FromAPlainClient_IsDeadLettered_AndAcknowledged()
    {
        var (host, receiver) = ConsumerHost();
        await Consumers(host).StartAsync(CancellationToken.None);
        var id = Guid.NewGuid();

        await Broker.PublishAsync(Exchange, "orders.placed", new BasicProperties { MessageId = id.ToString(), Type = "OrderPlaced", ContentType = "application/json" }, "not json");
        await WaitAsync(() => receiver.Settled.Count == 1, "the delivery");
        await Consumers(host).StopAsync(CancellationToken.None);

        var dead = Assert.Single(await host.DeadLetters.ListAsync());
        Assert.Equal((id, "malformed-message"), (dead.MessageId, dead.Reason));
        Assert.Equal(0, Script.Calls);
        Assert.Equal(0u, await Broker.CountAsync(_consumer));
    }

    [Fact]
    public async Task StoppingWhileAHandlerRuns_AcknowledgesNothing_AndTheMessageIsHandledLater()
    {
        var (host, receiver) = ConsumerHost();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        Script.During = async _ =>
        {
            started.TrySetResult();
            await release.Task;
        };
        await Consumers(host).StartAsync(CancellationToken.None);
        await host.PlaceOrderAsync(new OrderPlaced(1, "interrupted"));
        await host.DrainAsync();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var stopping = Consumers(host).StopAsync(CancellationToken.None);
        release.SetResult(); // the handler returns after the stop began: its commit is cancelled
        await stopping;

        Assert.Empty(receiver.Settled);
        Assert.Equal(0, await HandledOrdersAsync(host));
        await Broker.WaitForCountAsync(_consumer, 1, TimeSpan.FromSeconds(20));

        Script.During = null;
        var (again, againReceiver) = ConsumerHost();
        await Consumers(again).StartAsync(CancellationToken.None);
        await WaitAsync(() => againReceiver.Settled.Count == 1, "the redelivery");
        await Consumers(again).StopAsync(CancellationToken.None);
        Assert.Equal(1, await HandledOrdersAsync(again));
    }

    [Fact]
    public async Task MessageDeletedFromTheQueue_IsReportedAsAGap_WithItsKeyAndNumber()
    {
        var (host, receiver) = ConsumerHost(settings: new Dictionary<string, string?> { ["Outbox:Consumers:CheckSequence"] = "true" });
        await Consumers(host).StartAsync(CancellationToken.None); // declares the consumer's queue
        await Consumers(host).StopAsync(CancellationToken.None);
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            await PublishNumberedAsync(new OrderPlaced(sequence, "ada"), "order-7", sequence, "orders");
        }

        await Broker.WaitForCountAsync(_consumer, 3, TimeSpan.FromSeconds(20));

        // The test takes the queue's three messages and puts back the first and the third: the second is lost.
        var taken = await Broker.TakeAllAsync(_consumer);
        foreach (var kept in new[] { taken[0], taken[2] })
        {
            await Broker.PublishAsync("", _consumer, new BasicProperties(kept.BasicProperties), System.Text.Encoding.UTF8.GetString(kept.Body.Span));
        }

        await Consumers(host).StartAsync(CancellationToken.None);
        await WaitAsync(() => receiver.Settled.Count == 2, "the two messages left");
        await Consumers(host).StopAsync(CancellationToken.None);

        var gap = Assert.Single(await host.Services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync(_consumer));
        Assert.Equal(("orders", "order-7", 2L, 2L), (gap.Source, gap.Key, gap.FirstMissing, gap.LastMissing));
    }

    [Fact]
    public async Task TwoInstancesReadingOneQueue_WithOnSequenceGapHold_HandleEveryKeyInOrder_AndReportNoGap()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Outbox:Consumers:CheckSequence"] = "true",
            ["Outbox:Consumers:OnSequenceGap"] = "Hold",
            ["Outbox:Consumers:SequenceHoldTimeout"] = "01:00:00",
        };
        var producer = $"orders-{Guid.NewGuid():N}";
        using var measured = new SequenceMeasurements(producer);
        var (first, _) = ConsumerHost(settings: settings);
        var (second, _) = ConsumerHost(settings: settings);
        const int Keys = 3, PerKey = 20;
        async Task PublishAsync(int number)
        {
            for (var key = 0; key < Keys; key++)
            {
                await PublishNumberedAsync(new OrderPlaced((key * 1000) + number, "ada"), $"key-{key}", number, producer);
            }
        }

        // Checking starts at the first number a consumer records for a key: one instance records them first.
        await Consumers(first).StartAsync(CancellationToken.None);
        await PublishAsync(1);
        await WaitAsync(() => Script.Handled.Count == Keys, "each key's first number");

        // The broker hands the queue's messages to the two instances in turn; each instance's clock moves
        // 100 ms every 10 ms, for the holds' waits.
        Script.During = _ => Task.Delay(Random.Shared.Next(3));
        await Consumers(second).StartAsync(CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var clocks = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                first.Time.Advance(TimeSpan.FromMilliseconds(100));
                second.Time.Advance(TimeSpan.FromMilliseconds(100));
                await Task.Delay(10);
            }
        });
        for (var number = 2; number <= PerKey; number++)
        {
            await PublishAsync(number);
        }

        await WaitAsync(() => Script.Handled.Count == Keys * PerKey, "every message", () => $"{Script.Handled.Count} handled, {measured.Held} held");
        await stop.CancelAsync();
        await clocks;
        await Consumers(first).StopAsync(CancellationToken.None);
        await Consumers(second).StopAsync(CancellationToken.None);

        for (var key = 0; key < Keys; key++)
        {
            Assert.Equal(Enumerable.Range(1, PerKey).Select(n => (long)((key * 1000) + n)), Script.Handled.Where(h => h.Key == $"key-{key}").Select(h => h.OrderId));
        }

        Assert.True(measured.Held > 0, "No message was held: the two instances did not overlap, and the test proved nothing.");
        Assert.Equal((0, 0, 0), (measured.Gaps, measured.Late, measured.OutOfOrder));
        Assert.Empty(await first.Services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync(_consumer));
    }

    private (OutboxTestHost Host, WatchedReceiver Receiver) ConsumerHost(bool loseFirstAck = false, IDictionary<string, string?>? settings = null)
    {
        var host = Host(settings, _consumer, s => s.Replace(ServiceDescriptor.Singleton<IMessageReceiver>(
            sp => new WatchedReceiver(sp.GetRequiredService<RabbitMQReceiver>(), loseFirstAck))));
        return (host, (WatchedReceiver)host.Services.GetRequiredService<IMessageReceiver>());
    }

    /// <summary>Publishes an OrderPlaced numbered as a producer that numbers its own messages does, straight to the broker.</summary>
    private Task PublishNumberedAsync(OrderPlaced order, string key, long number, string producer) => Broker.PublishAsync(
        Exchange,
        "orders.placed",
        new BasicProperties
        {
            MessageId = Guid.NewGuid().ToString(),
            Type = "OrderPlaced",
            ContentType = "application/json",
            Headers = new Dictionary<string, object?>
            {
                ["outbox-key"] = key,
                [TransportMessage.SequenceHeader] = $"{number}",
                [TransportMessage.SourceHeader] = producer,
            },
        },
        System.Text.Json.JsonSerializer.Serialize(order, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));

    private Task<int> HandledOrdersAsync(OutboxTestHost host) =>
        host.InScopeAsync((db, _) => db.Orders.CountAsync(o => o.Customer == $"handled by {_consumer}"));

    private static async Task WaitAsync(Func<bool> condition, string what, Func<string>? state = null)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"Gave up waiting for {what}{(state is null ? "" : $" ({state()})")}.");
            await Task.Delay(20);
        }
    }
}
