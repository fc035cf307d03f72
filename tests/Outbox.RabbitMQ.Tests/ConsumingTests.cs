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

    private (OutboxTestHost Host, WatchedReceiver Receiver) ConsumerHost(bool loseFirstAck = false, IDictionary<string, string?>? settings = null)
    {
        var host = Host(settings, _consumer, s => s.Replace(ServiceDescriptor.Singleton<IMessageReceiver>(
            sp => new WatchedReceiver(sp.GetRequiredService<RabbitMQReceiver>(), loseFirstAck))));
        return (host, (WatchedReceiver)host.Services.GetRequiredService<IMessageReceiver>());
    }

    private Task<int> HandledOrdersAsync(OutboxTestHost host) =>
        host.InScopeAsync((db, _) => db.Orders.CountAsync(o => o.Customer == $"handled by {_consumer}"));

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"Gave up waiting for {what}.");
            await Task.Delay(20);
        }
    }
}
