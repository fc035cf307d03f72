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

        await transport.SendAsync([Message("orders", 1), Message("other", 2), Message("orders", 3)], CancellationToken.None);

        Assert.Equal(3, transport.Sent.Count);
        Assert.True(orders.TryRead(out var first));
        Assert.True(orders.TryRead(out var second));
        Assert.False(orders.TryRead(out _));
        Assert.Equal([Id(1), Id(3)], [first.MessageId, second.MessageId]);
    }

    [Fact]
    public async Task Mandatory_ReportsADestinationWithoutSubscriber_AsUnroutable()
    {
        var transport = new InMemoryTransport(Options.Create(new InMemoryTransportOptions { Mandatory = true }));
        transport.Subscribe("orders");

        var results = await transport.SendAsync([Message("orders", 1), Message("nowhere", 2)], CancellationToken.None);

        Assert.Equal([SendStatus.Sent, SendStatus.Unroutable], results.Select(r => r.Status));
        Assert.Single(transport.Sent);
    }

    private static Guid Id(int n) => new(n, 0, 0, new byte[8]);

    private static TransportMessage Message(string destination, int n) =>
        new(Id(n), destination, "t", null, Array.Empty<byte>(), "application/json", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
}
