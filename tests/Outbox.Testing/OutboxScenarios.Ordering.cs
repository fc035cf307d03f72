using System.Text.Json;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Dispatching;
using Outbox.EntityFrameworkCore;
using Outbox.Storage;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>Per-key order: a failing head, runs of a hot key, and four dispatchers on one database.</summary>
public abstract partial class OutboxScenarios
{
    [Fact]
    public async Task SameKey_FailingHead_HoldsBackOnlyItsKey_AndOrderIsKept()
    {
        var transport = new ScriptedTransport
        {
            Answer = (m, attempt) => Customer(m) == "a1" && attempt == 1 ? SendResult.Failed("first try fails") : SendResult.Sent,
        };
        var host = Host(transport: transport);
        await host.InScopeAsync(async (db, outbox) =>
        {
            foreach (var (key, name) in new[] { ("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2"), ("a", "a3") })
            {
                await outbox.PublishAsync(new OrderPlaced(1, name), new PublishOptions { Key = key });
            }

            await db.SaveChangesAsync();
        });

        await host.DrainAsync();
        Assert.Equal(["b1", "b2"], transport.Sent.Select(Customer));
        Assert.Equal(0, await host.PollUntilIdleAsync());

        host.Time.Advance(TimeSpan.FromSeconds(10));
        await host.PollUntilIdleAsync();

        Assert.Equal(["a1", "a2", "a3"], transport.Sent.Where(m => m.Key == "a").Select(Customer));
        Assert.All(await host.RowsAsync(), r => Assert.Equal(MessageStatus.Dispatched, r.Status));
    }

    [Fact]
    public async Task SameKey_AcrossTransactions_LaterMessageWaitsForEarlierUnsentOne()
    {
        var transport = new ScriptedTransport { Answer = (m, attempt) => Customer(m) == "first" && attempt == 1 ? SendResult.Failed("no") : SendResult.Sent };
        var time = new FakeTimeProvider();
        var one = Host(time, transport);
        var two = Host(time, transport);
        await one.PlaceOrderAsync(new OrderPlaced(1, "first"), new PublishOptions { Key = "k" });
        await one.DrainAsync();

        // Another instance commits a later message with the same key while the first waits for its retry.
        await two.PlaceOrderAsync(new OrderPlaced(2, "second"), new PublishOptions { Key = "k" });
        await two.DrainAsync();
        Assert.Empty(transport.Sent);

        time.Advance(TimeSpan.FromSeconds(10));
        await two.PollUntilIdleAsync();
        await one.PollUntilIdleAsync();

        Assert.Equal(["first", "second"], transport.Sent.Select(Customer));
    }

    [Fact]
    public async Task HotKeyBacklog_IsClaimedInRuns_AndSentInOrder()
    {
        var time = new FakeTimeProvider();
        var writer = Host(time);
        await writer.InScopeAsync(async (db, outbox) =>
        {
            for (var i = 0; i < 1000; i++)
            {
                await outbox.PublishAsync(new OrderPlaced(i, "hot"), new PublishOptions { Key = "hot" });
            }

            await db.SaveChangesAsync();
        });

        // The writer died before sending; another instance recovers the backlog.
        time.Advance(TimeSpan.FromMinutes(1));
        var relay = Host(time, settings: new Dictionary<string, string?> { ["Outbox:Dispatch:BatchSize"] = "100" });
        await relay.Maintenance.RecoverAsync(CancellationToken.None);
        var claims = 0;
        while (await relay.PollAsync() > 0)
        {
            claims++;
        }

        Assert.Equal(10, claims);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), relay.Memory.Sent.Select(OrderId));
    }

    [Fact]
    public async Task KeyedRun_StopsAtAnOlderRowOfTheKeyThatIsNotDue()
    {
        var host = Host();
        await host.InScopeAsync(async (db, outbox) =>
        {
            await outbox.PublishAsync(new OrderPlaced(1, "first"), new PublishOptions { Key = "k", Delay = TimeSpan.FromSeconds(1) });
            await outbox.PublishAsync(new OrderPlaced(2, "later"), new PublishOptions { Key = "k", Delay = TimeSpan.FromMinutes(10) });
            await outbox.PublishAsync(new OrderPlaced(3, "after that"), new PublishOptions { Key = "k", Delay = TimeSpan.FromSeconds(1) });
            await db.SaveChangesAsync();
        });

        host.Time.Advance(TimeSpan.FromSeconds(2));
        await host.PollUntilIdleAsync();
        Assert.Equal(["first"], host.Memory.Sent.Select(Customer));

        host.Time.Advance(TimeSpan.FromMinutes(10));
        await host.PollUntilIdleAsync();
        Assert.Equal(["first", "later", "after that"], host.Memory.Sent.Select(Customer));
    }

    [Fact]
    public async Task FourDispatchers_OnOneDatabase_SendEachOf10000RowsOnce_InOrderPerKey()
    {
        var time = new FakeTimeProvider();
        var shared = new ScriptedTransport();
        var settings = new Dictionary<string, string?> { ["Outbox:Dispatch:BatchSize"] = "200" };
        var writer = Host(time, shared, settings);
        await writer.InScopeAsync(async (db, outbox) =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                await outbox.PublishAsync(new OrderPlaced(i, "bulk"), new PublishOptions { Key = (i % 500).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }

            await db.SaveChangesAsync();
        });

        // The writer dies; four other instances recover and relay concurrently.
        time.Advance(TimeSpan.FromMinutes(1));
        var instances = Enumerable.Range(0, 4).Select(_ => Host(time, shared, settings)).ToList();
        await Task.WhenAll(instances.Select(i => i.Maintenance.RecoverAsync(CancellationToken.None)));
        var counts = await Task.WhenAll(instances.Select(i => Task.Run(i.PollUntilAllSentAsync)));

        Assert.Equal(10_000, shared.Sent.Count);
        Assert.Equal(10_000, shared.Sent.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(10_000, counts.Sum());
        if (ClaimsConcurrently)
        {
            Assert.True(counts.All(c => c > 0), $"every instance should share the work ({string.Join(" / ", counts)})");
        }

        foreach (var key in shared.Sent.GroupBy(m => m.Key))
        {
            var ids = key.Select(OrderId).ToList();
            Assert.Equal(ids.Order(), ids);
        }
    }
}
