using Microsoft.Extensions.DependencyInjection;
using Outbox.Storage;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>What a store must do for the dashboard and the CLI: filtered dead letters, and the monitor's reads.</summary>
public abstract partial class StoreConformance
{
    private IOutboxMonitor Monitor => _services.GetRequiredService<IOutboxMonitor>();

    [Fact]
    public async Task DeadLetterFilter_SelectsBySourceConsumerReasonDestinationTimeAndId_ForListRequeueAndPurge()
    {
        var old = await ConsumerDeadLetterAsync("billing", "max-deliveries", "orders.placed", Now.AddMinutes(-10));
        var malformed = await ConsumerDeadLetterAsync("shipping", "malformed-message", "orders.placed", Now.AddMinutes(-5));
        var payment = await ConsumerDeadLetterAsync("billing", "max-deliveries", "payments.captured", Now);
        await WriteAsync(Pending("k"));
        var claim = await OpenClaimAsync();
        await claim.DeadLetterAsync([new DeadLetterRequest(claim.Messages[0], "max-attempts", 10, "unroutable", DeadLetterSources.Dispatch)], Now, CancellationToken.None);
        await claim.CommitAsync(CancellationToken.None);
        var dispatched = claim.Messages[0].MessageId;

        async Task<Guid[]> Listed(DeadLetterFilter filter) => [.. (await DeadLetters.ListAsync(filter)).Select(d => d.MessageId)];
        Assert.Equal([old, malformed, payment, dispatched], await Listed(new DeadLetterFilter()));
        Assert.Equal([dispatched], await Listed(new DeadLetterFilter { Source = DeadLetterSources.Dispatch }));
        Assert.Equal([old, payment], await Listed(new DeadLetterFilter { Consumer = "billing" }));
        Assert.Equal([malformed], await Listed(new DeadLetterFilter { Reason = "malformed-message" }));
        Assert.Equal([payment], await Listed(new DeadLetterFilter { Destination = "payments.captured" }));
        Assert.Equal([malformed], await Listed(new DeadLetterFilter { Since = Time.GetUtcNow().AddMinutes(-6), Before = Time.GetUtcNow().AddMinutes(-1) }));
        Assert.Equal([old, payment], await Listed(new DeadLetterFilter { MessageIds = [payment, old] }));
        var listed = (await DeadLetters.ListAsync(new DeadLetterFilter { MessageIds = [malformed] }))[0];
        Assert.Equal((DeadLetterSources.Consumer, "shipping"), (listed.Source, listed.Consumer));

        Assert.Equal(1, await DeadLetters.PurgeAsync(new DeadLetterFilter { Reason = "malformed-message" }));
        Assert.Equal(1, await DeadLetters.RequeueAsync(new DeadLetterFilter { Consumer = "billing", Destination = "orders.placed" }));
        Assert.Equal([payment, dispatched], await Listed(new DeadLetterFilter()));
        Assert.Equal(old, Assert.Single(await ClaimAsync()).MessageId);
    }

    [Fact]
    public async Task RequeueByFilter_LeavesASecondDeadLetterOfOneMessage_UntilTheFirstIsSent()
    {
        var id = Guid.NewGuid();
        await ConsumerDeadLetterAsync("billing", "max-deliveries", "orders.placed", Now, id);
        await ConsumerDeadLetterAsync("shipping", "max-deliveries", "orders.placed", Now, id);

        Assert.Equal(1, await DeadLetters.RequeueAsync(new DeadLetterFilter()));
        Assert.Equal(0, await DeadLetters.RequeueAsync(new DeadLetterFilter()));
        Assert.Equal("shipping", Assert.Single(await DeadLetters.ListAsync()).Consumer);

        var claim = await OpenClaimAsync();
        Assert.Equal("billing", Assert.Single(claim.Messages).Headers[TransportMessage.ConsumerHeader]);
        await claim.MarkDispatchedAsync([claim.Messages[0].Id], Now, CancellationToken.None);
        await claim.CommitAsync(CancellationToken.None);

        Assert.True(await DeadLetters.RequeueAsync(id));
        Assert.Equal("shipping", Assert.Single(await ClaimAsync()).Headers[TransportMessage.ConsumerHeader]);
        Assert.Empty(await DeadLetters.ListAsync());
    }

    [Fact]
    public async Task Status_CountsMessagesByStateAndDestination_AndWhatWasSentInEachFiveMinutes()
    {
        await WriteAsync(
            Pending() with { DueAt = Now.AddMinutes(-2) },
            Written(MessageStatus.Prepared) with { Destination = "payments.captured" },
            Half(),
            Written(MessageStatus.Dispatched) with { DispatchedAt = Now.AddMinutes(-7) },
            Written(MessageStatus.Dispatched) with { DispatchedAt = Now.AddMinutes(-1) },
            Written(MessageStatus.Dispatched) with { Destination = "payments.captured", DispatchedAt = Now.AddMinutes(-61) });
        await ConsumerDeadLetterAsync("billing", "max-deliveries", "orders.placed", Now);

        var status = await Monitor.GetStatusAsync();

        Assert.Equal(
            (Time.GetUtcNow(), 1, 1, 1, 2, 1, Time.GetUtcNow().AddMinutes(-2)),
            (status.At, status.Pending, status.Sending, status.HalfMessages, status.SentLastHour, status.DeadLetters, status.OldestDueAt));
        Assert.Equal(
            [new DestinationStatus("orders.placed", 1, Time.GetUtcNow().AddMinutes(-2), 2), new DestinationStatus("payments.captured", 1, Time.GetUtcNow(), 0)],
            status.Destinations);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], status.SentPerFiveMinutes);
    }

    [Fact]
    public async Task Messages_AreListedNewestFirstByFilter_AndFoundById()
    {
        var first = Pending("k1") with { CreatedAt = Now.AddMinutes(-3), MessageType = "OrderPaid" };
        var second = Pending("k2") with { Destination = "payments.captured" };
        var half = Half();
        await WriteAsync(first, second, half);

        async Task<Guid[]> Listed(MessageFilter? filter, int skip = 0, int take = 100) =>
            [.. (await Monitor.ListMessagesAsync(filter, skip, take)).Select(m => m.MessageId)];
        Assert.Equal([half.MessageId, second.MessageId, first.MessageId], await Listed(null));
        Assert.Equal([second.MessageId], await Listed(null, 1, 1));
        Assert.Equal([half.MessageId], await Listed(new MessageFilter { Status = MessageStatus.Prepared, Kind = MessageKind.Transactional }));
        Assert.Equal([second.MessageId], await Listed(new MessageFilter { Destination = "payments.captured" }));
        Assert.Equal([first.MessageId], await Listed(new MessageFilter { MessageType = "OrderPaid" }));
        Assert.Equal([first.MessageId], await Listed(new MessageFilter { Key = "k1" }));
        Assert.Equal([first.MessageId], await Listed(new MessageFilter { Before = Time.GetUtcNow().AddMinutes(-1) }));
        Assert.Equal([half.MessageId, second.MessageId], await Listed(new MessageFilter { Since = Time.GetUtcNow() }));

        var found = await Monitor.FindMessageAsync(first.MessageId);
        Assert.Equal((first.Key, first.MessageType, first.CreatedAt), (found!.Key, found.MessageType, found.CreatedAt));
        Assert.Null(await Monitor.FindMessageAsync(Guid.NewGuid()));
    }

    private async Task<Guid> ConsumerDeadLetterAsync(string consumer, string reason, string destination, DateTimeOffset at, Guid? id = null)
    {
        var message = new TransportMessage(id ?? Guid.NewGuid(), destination, "OrderPlaced", "k", "{}"u8.ToArray(), "application/json", new Dictionary<string, string>(), Time.GetUtcNow());
        await Inbox.DeadLetterDeliveryAsync(message, consumer, reason, 5, "handler failed", at, null, CancellationToken.None);
        return message.MessageId;
    }
}
