namespace Outbox.Kafka.Tests;

/// <summary>Messages another Kafka client (kcat) produced into a consumer's topic: handled when they are ours, dead-lettered with the reason when not.</summary>
public sealed class ForeignClientTests : KafkaScenarios
{
    [Fact]
    public async Task MessageProducedByKcat_WithOurHeaders_IsHandled()
    {
        Cluster.CreateTopic(Topic, 1);
        var host = Host(consumer: ConsumerName);
        await Consumers(host).StartAsync(CancellationToken.None);
        var id = Guid.NewGuid();

        await Kcat.RunAsync(Cluster.BootstrapServers, """{"orderId":42,"customer":"kcat"}""", "-P", "-t", Topic, "-k", "order-42", "-H", $"message-id={id}", "-H", "message-type=OrderPlaced", "-H", "content-type=application/json");
        await WaitForHandledAsync(host, 1);
        await Consumers(host).StopAsync(CancellationToken.None);

        Assert.Equal([("order-42", 42L)], Script.Handled);
        Assert.Equal(id, Assert.Single(Script.Contexts).MessageId);
        Assert.Equal(1, await HandledOrdersAsync(host));
    }

    [Fact]
    public async Task PlainRecordProducedByKcat_IsDeadLetteredWithTheReason_AndTheConsumerMovesOn()
    {
        Cluster.CreateTopic(Topic, 1);
        var host = Host(consumer: ConsumerName);
        await Consumers(host).StartAsync(CancellationToken.None);

        await Kcat.RunAsync(Cluster.BootstrapServers, "hello", "-P", "-t", Topic);
        await Kcat.RunAsync(Cluster.BootstrapServers, "not json", "-P", "-t", Topic, "-H", "message-type=OrderPlaced");
        await Kcat.RunAsync(Cluster.BootstrapServers, """{"orderId":7,"customer":"after"}""", "-P", "-t", Topic, "-H", "message-type=OrderPlaced");
        await WaitAsync(() => !Script.Handled.IsEmpty, "the good message after the bad ones");
        // Unkeyed records are handled side by side: the good one may be done before a bad one is dead-lettered.
        await WaitAsync(() => host.DeadLetters.ListAsync().Result.Count == 2, "both bad messages to be dead-lettered");
        await Consumers(host).StopAsync(CancellationToken.None);

        var dead = (await host.DeadLetters.ListAsync()).OrderBy(d => d.Reason, StringComparer.Ordinal).ToList();
        Assert.Equal(["malformed-message", "unknown-message-type"], dead.Select(d => d.Reason));
        Assert.Contains("'' is not a registered message type", dead[1].LastError, StringComparison.Ordinal);
        Assert.Equal([(null, 7L)], Script.Handled);
    }
}
