using Microsoft.EntityFrameworkCore;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>Numbered routes: each keyed message gets the next number of its destination and key in its own transaction.</summary>
public abstract class SequenceScenarios : DatabaseScenarios
{
    [Fact]
    public async Task SequencedRoute_NumbersEachKeyFromOne_InCommitOrder_AndARolledBackTransactionLeavesNoGap()
    {
        var host = Host();
        await Publish(host, "a");
        await host.InScopeAsync(async (db, outbox) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Orders.Add(new Order { Customer = "rolled back" });
            await outbox.PublishAsync(new OrderPlaced(0, "rolled back"), new PublishOptions { Key = "a" });
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        });
        await Publish(host, "a");
        await Publish(host, "b");
        await host.InScopeAsync(async (db, outbox) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await outbox.PublishAsync(new OrderPlaced(3, "x"), new PublishOptions { Key = "a" });
            await outbox.PublishAsync(new OrderPlaced(4, "x"), new PublishOptions { Key = "a" });
            await db.SaveChangesAsync();
            await outbox.PublishAsync(new OrderPlaced(5, "x"), new PublishOptions { Key = "a" });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });
        await Publish(host, null);
        await Publish(host, "a", new PublishOptions { Key = "a", Delay = TimeSpan.FromMinutes(1) });

        await host.DrainAsync();

        var sent = host.Memory.Sent;
        Assert.Equal(["1", "2", "3", "4", "5"], Numbers(sent, "a"));
        Assert.Equal(["1"], Numbers(sent, "b"));
        Assert.All(sent.Where(m => m.Key is not null), m => Assert.Equal("shop", m.Headers[TransportMessage.SourceHeader]));
        Assert.DoesNotContain(sent, m => m.Key is null && m.Headers.ContainsKey(TransportMessage.SequenceHeader));
        host.Time.Advance(TimeSpan.FromMinutes(2));
        await host.PollUntilIdleAsync();
        Assert.False(host.Memory.Sent[^1].Headers.ContainsKey(TransportMessage.SequenceHeader)); // the delayed one: sent after later ones, so not numbered
    }

    [Fact]
    public async Task WritersOfOneKeyAtOnce_TakeEveryNumberOnce()
    {
        var host = Host();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await Publish(host, "hot");
            }
        })));
        await host.DrainAsync();

        Assert.Equal(Enumerable.Range(1, 80).Select(n => $"{n}"), Numbers(host.Memory.Sent, "hot").OrderBy(int.Parse));
    }

    [Fact]
    public async Task UnnumberedRoute_SendsNoNumbers()
    {
        var host = Host(sequenced: false);

        await Publish(host, "a");
        await host.DrainAsync();

        Assert.DoesNotContain(Assert.Single(host.Memory.Sent).Headers.Keys, k => k is TransportMessage.SequenceHeader or TransportMessage.SourceHeader);
    }

    private OutboxTestHost Host(bool sequenced = true) => Track(OutboxTestHost.Create(Database, settings: new Dictionary<string, string?>
    {
        ["Outbox:Routes:OrderPlaced:Destination"] = "orders.placed",
        ["Outbox:Routes:OrderPlaced:Sequenced"] = sequenced ? "true" : "false",
        ["Outbox:ServiceName"] = "shop",
    }));

    private static Task Publish(OutboxTestHost host, string? key, PublishOptions? options = null) =>
        host.PlaceOrderAsync(new OrderPlaced(1, "ada"), options ?? new PublishOptions { Key = key });

    private static List<string> Numbers(IEnumerable<TransportMessage> sent, string key) =>
        [.. sent.Where(m => m.Key == key).Select(m => m.Headers.GetValueOrDefault(TransportMessage.SequenceHeader) ?? "none")];
}
