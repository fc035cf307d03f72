using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Kafka.Publishing;
using Outbox.Transport;

namespace Outbox.Kafka.Tests;

/// <summary>What the Kafka transport reports per message, and what another Kafka client sees of it.</summary>
public sealed class PublishingTests : IDisposable
{
    private readonly MockCluster _cluster = new();
    private ServiceProvider? _services;

    [Fact]
    public async Task TooLargeMessage_FailsAloneWithTheReason_ItsKeysLaterOnesAreNotSent_OtherKeysAre()
    {
        _cluster.CreateTopic("sizes", 2);
        var transport = Transport(new() { ["Outbox:Kafka:Producer:message.max.bytes"] = "2000" });

        var results = await transport.SendAsync(
            [Message("sizes", "a", new string('x', 5000)), Message("sizes", "a", "after the big one"), Message("sizes", "b", "small")],
            CancellationToken.None);

        Assert.Equal([SendStatus.Failed, SendStatus.Failed, SendStatus.Sent], results.Select(r => r.Status));
        Assert.Contains("MsgSizeTooLarge", results[0].Error, StringComparison.Ordinal);
        Assert.Contains("an earlier message with key 'a'", results[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopicThatDoesNotExist_IsUnroutable_AtOnce_AndIsNotCreated()
    {
        _cluster.CreateTopic("exists", 1);
        var transport = Transport();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var results = await transport.SendAsync([Message("missing", "a", "lost?"), Message("exists", "b", "fine")], CancellationToken.None);

        Assert.Equal([SendStatus.Unroutable, SendStatus.Sent], results.Select(r => r.Status));
        Assert.Contains("topic 'missing' does not exist", results[0].Error, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"Took {started.Elapsed}.");
        Assert.Equal([SendStatus.Unroutable], (await transport.SendAsync([Message("missing", null, "again")], CancellationToken.None)).Select(r => r.Status));
    }

    [Fact]
    public async Task BrokerOutOfReach_MessagesAreUnavailable_ThenSentWhenItIsBack()
    {
        _cluster.CreateTopic("outage", 1);
        var transport = Transport(new() { ["Outbox:Dispatch:AttemptTimeout"] = "00:00:01" });
        Assert.Equal(SendStatus.Sent, (await transport.SendAsync([Message("outage", "k", "before")], CancellationToken.None))[0].Status);

        _cluster.BrokerDown();
        var during = await transport.SendAsync([Message("outage", "k", "during"), Message("outage", "k", "during, later")], CancellationToken.None);
        _cluster.BrokerUp();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await transport.SendAsync([Message("outage", "k", "after")], CancellationToken.None))[0].Status != SendStatus.Sent)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "Sending did not resume within 30 s of the broker's return.");
        }

        Assert.Equal([SendStatus.Unavailable, SendStatus.Failed], during.Select(r => r.Status));
        Assert.Contains("Message timed out", during[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kcat_ReadsAPublishedMessage_WithItsKeyHeadersAndBody()
    {
        _cluster.CreateTopic("for-kcat", 1);
        var message = Message("for-kcat", "order-7", """{"orderId":7}""") with
        {
            Headers = new Dictionary<string, string> { ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ["tenant"] = "acme" },
        };
        Assert.Equal(SendStatus.Sent, (await Transport().SendAsync([message], CancellationToken.None))[0].Status);

        var seen = await Kcat.RunAsync(_cluster.BootstrapServers, "", "-C", "-t", "for-kcat", "-o", "beginning", "-c", "1", "-e", "-f", "key=%k\nheaders=%h\nvalue=%s\n");

        Assert.Contains("key=order-7\n", seen, StringComparison.Ordinal);
        Assert.Contains($"message-id={message.MessageId}", seen, StringComparison.Ordinal);
        Assert.Contains("message-type=OrderPlaced", seen, StringComparison.Ordinal);
        Assert.Contains("content-type=application/json", seen, StringComparison.Ordinal);
        Assert.Contains("traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", seen, StringComparison.Ordinal);
        Assert.Contains("tenant=acme", seen, StringComparison.Ordinal);
        Assert.Contains("""value={"orderId":7}""", seen, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _services?.Dispose();
        _cluster.Dispose();
    }

    private KafkaTransport Transport(Dictionary<string, string?>? settings = null)
    {
        var all = _cluster.Configuration();
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var services = new ServiceCollection().AddLogging();
        services.AddOutbox(new ConfigurationBuilder().AddInMemoryCollection(all).Build().GetSection("Outbox")).UseKafka();
        _services = services.BuildServiceProvider();
        return _services.GetRequiredService<KafkaTransport>();
    }

    private static TransportMessage Message(string topic, string? key, string body) => new(
        Guid.CreateVersion7(),
        topic,
        "OrderPlaced",
        key,
        Encoding.UTF8.GetBytes(body),
        "application/json",
        new Dictionary<string, string>(),
        DateTimeOffset.UtcNow);
}
