using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outbox.Testing;

namespace Outbox.Kafka.Tests;

/// <summary>From the outbox table through Kafka into the inbox, with the key's order checked at the consumer, under faults.</summary>
public sealed class FlowTests : KafkaScenarios
{
    [Fact]
    public async Task TenThousandMessages_SixPartitions_EachHandledOnce_InOrderPerKey()
    {
        Cluster.CreateTopic(Topic, partitions: 6);
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:MaxConcurrency"] = "8" }, ConsumerName);
        await Consumers(host).StartAsync(CancellationToken.None);

        await PlaceOrdersAsync(host, 0, 10_000, i => $"customer-{i % 200}");
        await host.PollUntilAllSentAsync();
        await WaitForHandledAsync(host, 10_000, seconds: 180);
        await Consumers(host).StopAsync(CancellationToken.None);

        Assert.Equal(10_000, Script.Handled.Select(h => h.OrderId).Distinct().Count());
        Assert.Equal(10_000, await HandledOrdersAsync(host));
        AssertOrderPerKey(Script.Handled);
    }

    [Fact]
    public async Task ProduceRequestsFailingTransiently_AreRetried_AndNothingIsLostDuplicatedOrReordered()
    {
        Cluster.CreateTopic(Topic, partitions: 3);
        var host = Host(consumer: ConsumerName);
        await Consumers(host).StartAsync(CancellationToken.None);
        await PlaceOrdersAsync(host, 0, 500, i => $"k{i % 10}");

        // NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND.
        Cluster.PushRequestErrors(MockCluster.ApiKey.Produce, 6, 7, 19, 20, 6, 7, 19, 20);
        await host.PollUntilAllSentAsync();
        await WaitForHandledAsync(host, 500);
        await Consumers(host).StopAsync(CancellationToken.None);

        Assert.Equal(500, await HandledOrdersAsync(host));
        Assert.Equal(500, Script.Handled.Count);
        AssertOrderPerKey(Script.Handled);
    }

    [Fact]
    public async Task BrokerDownWhileRelaying_MessagesWait_AndAllArriveInOrderWhenItReturns()
    {
        Cluster.CreateTopic(Topic, partitions: 3);
        var host = Host(new Dictionary<string, string?> { ["Outbox:Dispatch:AttemptTimeout"] = "00:00:02" }, ConsumerName);
        await Consumers(host).StartAsync(CancellationToken.None);
        await PlaceOrdersAsync(host, 0, 100, i => $"k{i % 5}");
        await host.PollUntilAllSentAsync();
        await WaitAsync(() => Script.Handled.Count >= 100, "the first 100 messages");

        Cluster.BrokerDown();
        await PlaceOrdersAsync(host, 100, 200, i => $"k{i % 5}");
        var claimed = await host.PollAsync(); // librdkafka cannot deliver them: each times out, unavailable
        Cluster.BrokerUp();
        await host.RelayAllAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(90)); // the clock moves past backoffs and the open circuit
        await WaitForHandledAsync(host, 300);
        await Consumers(host).StopAsync(CancellationToken.None);

        Assert.True(claimed > 0, "The poll during the outage claimed nothing.");
        Assert.Equal(300, await HandledOrdersAsync(host));
        AssertOrderPerKey(Script.Handled.DistinctBy(h => h.OrderId));
    }

    [Fact]
    public async Task ConsumerRestartedMidStream_ResumesFromItsCommittedOffsets_WithOneEffectPerMessage()
    {
        Cluster.CreateTopic(Topic, partitions: 4);
        var sender = Host();
        await PlaceOrdersAsync(sender, 0, 1000, i => $"k{i % 10}");
        await sender.PollUntilAllSentAsync();

        var first = Host(consumer: ConsumerName);
        await Consumers(first).StartAsync(CancellationToken.None);
        await WaitForHandledAsync(first, 300);
        await Consumers(first).StopAsync(CancellationToken.None);
        var handledByFirst = await HandledOrdersAsync(first);
        var committed = CommittedOffsets(partitions: 4);

        var second = Host(consumer: ConsumerName);
        await Consumers(second).StartAsync(CancellationToken.None);
        await WaitForHandledAsync(second, 1000);
        await Consumers(second).StopAsync(CancellationToken.None);

        // Handlers run eight at a time: a handling that finished above one the stop abandoned is in the
        // database but not committed to Kafka, and is read again by the second instance and absorbed by the
        // inbox. An offset committed without its handling would be lost: the second instance would not see it.
        Assert.InRange(handledByFirst, 300, 999);
        Assert.InRange(committed, 1, handledByFirst);
        Assert.Equal(1000, await HandledOrdersAsync(second)); // one effect per message: a second would be a second row
        Assert.Equal(1000, Script.Handled.Select(h => h.OrderId).Distinct().Count());
        AssertOrderPerKey(Script.Handled);
    }

    [Fact]
    public async Task RebalanceBetweenTwoInstances_LosesNothing_AndKeepsEachKeysOrder()
    {
        Cluster.CreateTopic(Topic, partitions: 6);
        var sender = Host();
        await PlaceOrdersAsync(sender, 0, 2000, i => $"k{i % 20}");
        await sender.PollUntilAllSentAsync();
        HandlerScript[] scripts = [new(), new()];
        var instances = scripts.Select(script => Host(
            new Dictionary<string, string?> { ["Outbox:Consumers:MaxConcurrency"] = "4" },
            ConsumerName,
            s => s.Replace(ServiceDescriptor.Singleton(script)))).ToArray();

        await Consumers(instances[0]).StartAsync(CancellationToken.None);
        await WaitAsync(() => scripts[0].Handled.Count >= 200, "the first instance to start");
        await Consumers(instances[1]).StartAsync(CancellationToken.None); // the group rebalances over both
        await WaitAsync(() => scripts[1].Handled.Count >= 100, "the second instance to get partitions");
        await Consumers(instances[0]).StopAsync(CancellationToken.None); // and again, to the second alone
        await WaitForHandledAsync(instances[1], 2000);
        await Consumers(instances[1]).StopAsync(CancellationToken.None);

        Assert.Equal(2000, await HandledOrdersAsync(instances[1]));
        Assert.Equal(2000, scripts.SelectMany(s => s.Handled).Select(h => h.OrderId).Distinct().Count());
        AssertOrderPerKey(scripts[0].Handled);
        AssertOrderPerKey(scripts[1].Handled);
        foreach (var key in scripts[1].Handled.GroupBy(h => h.Key))
        {
            // What the second handled of a key comes after what the first handled of it (or is the one the first
            // was handling when it stopped, whose commit the stop cancelled).
            var firstLast = scripts[0].Handled.Where(h => h.Key == key.Key).Select(h => h.OrderId).DefaultIfEmpty(-1).Max();
            Assert.True(key.Min(h => h.OrderId) >= firstLast, $"Key {key.Key}: the second instance handled {key.Min(h => h.OrderId)} before the first had finished {firstLast}.");
        }
    }

    [Fact]
    public async Task UnorderedFailingMessage_IsDeliveredAgainAfterItsDelay_WithTheAttemptCounted_WhileTheNextIsHandled()
    {
        Cluster.CreateTopic(Topic, 1);
        var settings = new Dictionary<string, string?>
        {
            ["Outbox:Consumers:Ordering"] = "None",
            ["Outbox:Consumers:RedeliveryDelay"] = "00:00:10",
            ["Outbox:Consumers:MaxConcurrency"] = "1", // one at a time, so the first handler call is the first message's
        };
        var host = Host(settings, ConsumerName);
        Script.FailFirst = 1;
        await Consumers(host).StartAsync(CancellationToken.None);
        await host.PlaceOrderAsync(new OrderPlaced(1, "fails once"));
        await host.PlaceOrderAsync(new OrderPlaced(2, "next"));
        await host.DrainAsync();

        await WaitAsync(() => Script.Handled.Count == 1, "the second message, while the first waits");
        Assert.Equal([2L], Script.Handled.Select(h => h.OrderId));
        host.Time.Advance(TimeSpan.FromMinutes(1)); // the first one's delay, on the test's clock
        await WaitForHandledAsync(host, 2);
        await Consumers(host).StopAsync(CancellationToken.None);

        var again = Host(settings, ConsumerName); // reads from the committed offset: past both
        await Consumers(again).StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await Consumers(again).StopAsync(CancellationToken.None);

        Assert.Equal([2L, 1L], Script.Handled.Select(h => h.OrderId));
        var contexts = Script.Contexts.ToList();
        Assert.Equal([1, 1, 2], contexts.Select(c => c.DeliveryAttempt));
        Assert.Equal(contexts[0].MessageId, contexts[2].MessageId);
        Assert.Equal(2, await HandledOrdersAsync(again));
    }
}
