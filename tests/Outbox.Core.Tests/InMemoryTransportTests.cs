using Microsoft.Extensions.Options;
using Outbox.Transport;

namespace Outbox.Tests;

public sealed class InMemoryTransportTests
{
    [Fact]
    public async Task Subscriber_ReceivesMessagesOfItsDestination_InOrder()
    {
        var transport = new InMemoryTransport();
        var orders = transport.Subscribe("orders");
        transport.Subscribe("other");

        await transport.SendAsync([Message("orders", 1), Message("other", 2), Message("orders", 3)], CancellationToken.None);

        Assert.Equal(3, transport.Sent.Count);
        Assert.True(orders.TryRead(out var first));
        Assert.True(orders.TryRead(out var second));
        Assert.False(orders.TryRead(out _));
        Assert.Equal([Id(1), Id(3)], [first.MessageId, second.MessageId]);
    }

    [Fact]
    public async Task ByDefault_ADestinationWithoutSubscriber_IsUnroutable_AsWithABroker()
    {
        var transport = new InMemoryTransport();
        transport.Subscribe("orders");

        var results = await transport.SendAsync([Message("orders", 1), Message("nowhere", 2)], CancellationToken.None);

        Assert.Equal([SendStatus.Sent, SendStatus.Unroutable], results.Select(r => r.Status));
        Assert.Equal("no subscriber for 'nowhere'", results[1].Error);
        Assert.Single(transport.Sent);
    }

    [Fact]
    public async Task InABatch_AKeysMessagesAfterOneNotSent_AreNotSentEither()
    {
        var transport = new InMemoryTransport();
        var orders = transport.Subscribe("orders");

        var results = await transport.SendAsync(
            [Message("nowhere", 1) with { Key = "a" }, Message("orders", 2) with { Key = "a" }, Message("orders", 3) with { Key = "b" }],
            CancellationToken.None);

        Assert.True(transport.KeepsKeyOrderInBatch);
        Assert.Equal([SendStatus.Unroutable, SendStatus.Failed, SendStatus.Sent], results.Select(r => r.Status));
        Assert.Equal("not sent: an earlier message with key 'a' in this batch was not sent", results[1].Error);
        Assert.True(orders.TryRead(out var only));
        Assert.Equal(Id(3), only.MessageId);
        Assert.False(orders.TryRead(out _));
    }

    [Fact]
    public async Task NotMandatory_AcceptsAMessageNobodyReceives()
    {
        var transport = new InMemoryTransport(Options.Create(new InMemoryTransportOptions { Mandatory = false }));

        var results = await transport.SendAsync([Message("nowhere", 1)], CancellationToken.None);

        Assert.Equal(SendStatus.Sent, Assert.Single(results).Status);
    }

    [Fact]
    public async Task MessageForOneConsumer_ReachesThatConsumerOnly()
    {
        var transport = new InMemoryTransport();
        var subscriber = transport.Subscribe("orders");
        using var stop = new CancellationTokenSource();
        await using var shipping = transport.ReceiveAsync("orders", "shipping", stop.Token).GetAsyncEnumerator(stop.Token);
        await using var billing = transport.ReceiveAsync("orders", "billing", stop.Token).GetAsyncEnumerator(stop.Token);
        var shippingReads = shipping.MoveNextAsync();
        var billingReads = billing.MoveNextAsync();

        var targeted = Message("orders", 1) with { Headers = new Dictionary<string, string> { [TransportMessage.ConsumerHeader] = "shipping" } };
        var results = await transport.SendAsync([targeted, Message("orders", 2)], CancellationToken.None);

        Assert.All(results, r => Assert.Equal(SendStatus.Sent, r.Status));
        Assert.True(await shippingReads);
        Assert.Equal(Id(1), shipping.Current.Message.MessageId);
        Assert.True(await billingReads);
        Assert.Equal(Id(2), billing.Current.Message.MessageId);
        Assert.True(subscriber.TryRead(out var seen));
        Assert.Equal(Id(2), seen.MessageId);
        Assert.False(subscriber.TryRead(out _));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task MessageForAConsumerNobodyRuns_IsUnroutable()
    {
        var transport = new InMemoryTransport();
        transport.Subscribe("orders");
        var targeted = Message("orders", 1) with { Headers = new Dictionary<string, string> { [TransportMessage.ConsumerHeader] = "gone" } };

        var result = Assert.Single(await transport.SendAsync([targeted], CancellationToken.None));

        Assert.Equal((SendStatus.Unroutable, "no consumer 'gone' reads 'orders'"), (result.Status, result.Error));
    }

    private static Guid Id(int n) => new(n, 0, 0, new byte[8]);

    private static TransportMessage Message(string destination, int n) =>
        new(Id(n), destination, "t", null, Array.Empty<byte>(), "application/json", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
}
