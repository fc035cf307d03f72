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

/// <summary>Crashes, failed sends, dead letters, retention and a database that goes away.</summary>
public abstract partial class OutboxScenarios
{
    [Fact]
    public async Task ProcessKilledAfterCommit_MessageIsSentAfterRestart()
    {
        var time = new FakeTimeProvider();
        var crashed = Host(time);
        await crashed.PlaceOrderAsync(new OrderPlaced(5, "survivor"));

        // The first process dies before its fast path runs; a new one starts on the same database.
        var restarted = Host(time);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await restarted.Maintenance.RecoverAsync(CancellationToken.None));
        Assert.Equal(0, await restarted.PollUntilIdleAsync());

        time.Advance(TimeSpan.FromSeconds(21));
        Assert.Equal(1, await restarted.Maintenance.RecoverAsync(CancellationToken.None));
        await restarted.PollUntilIdleAsync();

        Assert.Empty(crashed.Memory.Sent);
        Assert.Equal(["survivor"], restarted.Memory.Sent.Select(Customer));
        Assert.Equal(MessageStatus.Dispatched, Assert.Single(await restarted.RowsAsync()).Status);
    }

    [Fact]
    public async Task RecoveryJob_DoesNotTakeRowsStillInFlight()
    {
        var time = new FakeTimeProvider();
        var host = Host(time);
        await host.PlaceOrderAsync(new OrderPlaced(6, "slow"));

        // Older than CheckAfter (6 s) but still leased (30 s) to the instance sending it.
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, await host.Maintenance.RecoverAsync(CancellationToken.None));
        await host.DrainAsync();

        Assert.Single(host.Memory.Sent);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await host.Maintenance.RecoverAsync(CancellationToken.None));
        Assert.Equal(0, await host.PollUntilIdleAsync());
        Assert.Single(host.Memory.Sent);
    }

    [Fact]
    public async Task TransportFailsThreeTimes_ThenSucceeds_SentOnceWithAttemptsRecorded()
    {
        var transport = new ScriptedTransport { Answer = (_, attempt) => attempt <= 3 ? SendResult.Failed("broker said no") : SendResult.Sent };
        var host = Host(transport: transport);
        await host.PlaceOrderAsync(new OrderPlaced(7, "flaky"));

        await host.DrainAsync();
        var row = Assert.Single(await host.RowsAsync());
        Assert.Equal((MessageStatus.Pending, 1, "broker said no"), (row.Status, row.Attempts, row.LastError));
        Assert.Equal(0, await host.PollAsync());

        for (var i = 0; i < 3; i++)
        {
            host.Time.Advance(TimeSpan.FromMinutes(1));
            await host.PollUntilIdleAsync();
        }

        row = Assert.Single(await host.RowsAsync());
        Assert.Equal(MessageStatus.Dispatched, row.Status);
        Assert.Equal(3, row.Attempts);
        Assert.Equal(4, transport.AttemptsOf(row.MessageId));
        Assert.Single(transport.Sent);
    }

    [Fact]
    public async Task FailedRow_IsNotRetriedBeforeItsBackoff()
    {
        var transport = new ScriptedTransport { Answer = (_, attempt) => attempt == 1 ? SendResult.Failed("down") : SendResult.Sent };
        var host = Host(transport: transport);
        await host.PlaceOrderAsync(new OrderPlaced(8, "later"));
        await host.DrainAsync();

        // The first retry waits AttemptBackoff (5 s) +-20%.
        host.Time.Advance(TimeSpan.FromSeconds(3.9));
        Assert.Equal(0, await host.PollAsync());
        host.Time.Advance(TimeSpan.FromSeconds(2.2));
        Assert.Equal(1, await host.PollAsync());
        Assert.Single(transport.Sent);
    }

    [Fact]
    public async Task FailedKeyHead_BehindMoreFollowersThanABatch_IsClaimedOnceDue_AndTheKeyMovesInOrder()
    {
        var host = Host(settings: new Dictionary<string, string?> { ["Outbox:Dispatch:BatchSize"] = "5", ["InMemory:Mandatory"] = "true" });
        var delayed = new PublishOptions { Key = "k", Delay = TimeSpan.FromMilliseconds(1) };
        await host.PlaceOrderAsync(new OrderPlaced(0, "head"), delayed);
        host.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await host.PollAsync()); // no subscriber yet: fails, and waits out its backoff

        // Twenty followers come due before the head does, so they fill every window.
        for (var i = 1; i <= 20; i++)
        {
            await host.PlaceOrderAsync(new OrderPlaced(i, $"follower {i}"), delayed);
        }

        host.Memory.Subscribe("orders.placed");
        host.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await host.PollAsync()); // the head is not due: its key waits
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.PollUntilIdleAsync();

        Assert.Equal(Enumerable.Range(0, 21).Select(i => (long)i), host.Memory.Sent.Select(m => JsonSerializer.Deserialize<OrderPlaced>(m.Body.Span, JsonSerializerOptions.Web)!.OrderId));
    }

    [Fact]
    public async Task PermanentlyFailingMessage_IsDeadLettered_OthersStillFlow_AndRequeueDeliversIt()
    {
        var host = Host(settings: new Dictionary<string, string?> { ["Outbox:Dispatch:MaxAttempts"] = "3", ["InMemory:Mandatory"] = "true" });
        var received = host.Memory.Subscribe("orders.placed");
        var poison = await host.PlaceOrderAsync(new OrderPlaced(9, "poison"), new PublishOptions { Destination = "nowhere", Key = "p" });
        await host.PlaceOrderAsync(new OrderPlaced(10, "fine"));
        await host.DrainAsync();

        for (var i = 0; i < 5; i++)
        {
            host.Time.Advance(TimeSpan.FromMinutes(5));
            await host.PollUntilIdleAsync();
        }

        Assert.Equal(["fine"], host.Memory.Sent.Select(Customer));
        var dead = Assert.Single(await host.DeadLetters.ListAsync());
        Assert.Equal((poison, "max-attempts", 3, "nowhere", "p"), (dead.MessageId, dead.Reason, dead.Attempts, dead.Destination, dead.Key));
        Assert.Contains("unroutable", dead.LastError);
        Assert.DoesNotContain(await host.RowsAsync(), r => r.MessageId == poison);

        host.Memory.Subscribe("nowhere");
        Assert.True(await host.DeadLetters.RequeueAsync(poison));
        Assert.False(await host.DeadLetters.RequeueAsync(poison));
        await host.PollUntilIdleAsync();

        Assert.Equal(["fine", "poison"], host.Memory.Sent.Select(Customer));
        Assert.Empty(await host.DeadLetters.ListAsync());
        Assert.True(received.TryRead(out _));
    }

    [Fact]
    public async Task PurgeDeadLetters_DeletesOnlyOlderOnes()
    {
        var host = Host(settings: new Dictionary<string, string?> { ["Outbox:Dispatch:MaxAttempts"] = "1", ["InMemory:Mandatory"] = "true" });
        await host.PlaceOrderAsync(new OrderPlaced(1, "old"));
        await host.DrainAsync();
        host.Time.Advance(TimeSpan.FromDays(2));
        await host.PlaceOrderAsync(new OrderPlaced(2, "new"));
        await host.DrainAsync();

        Assert.Equal(1, await host.DeadLetters.PurgeAsync(new DeadLetterFilter { Before = host.Time.GetUtcNow().AddDays(-1) }));

        Assert.Equal("new", Customer(Assert.Single(await host.DeadLetters.ListAsync()).Payload));
    }

    [Fact]
    public async Task Retention_DeletesOnlyFinishedRowsOlderThanTheWindow()
    {
        var transport = new ScriptedTransport { Answer = (m, _) => Customer(m) == "stuck" ? SendResult.Failed("no") : SendResult.Sent };
        var host = Host(transport: transport);
        await host.PlaceOrderAsync(new OrderPlaced(1, "old"));
        await host.PlaceOrderAsync(new OrderPlaced(2, "stuck"));
        await host.DrainAsync();
        host.Time.Advance(TimeSpan.FromDays(2));
        await host.PlaceOrderAsync(new OrderPlaced(3, "recent"));
        await host.DrainAsync();

        Assert.Equal(1, await host.Maintenance.CleanUpAsync(CancellationToken.None));

        Assert.Equal(["stuck", "recent"], (await host.RowsAsync()).Select(r => Customer(r.Payload)));
    }

    [Fact]
    public async Task DatabaseDown_DispatcherKeepsRunning_AndCatchesUpWhenItReturns()
    {
        await using var database = NewDatabase();
        var host = OutboxTestHost.Create(database);
        Track(host);
        await host.Dispatcher.StartAsync(CancellationToken.None);
        try
        {
            // The database does not exist yet: every poll fails, and the dispatcher backs off instead of crashing.
            for (var i = 0; i < 5; i++)
            {
                host.Time.Advance(TimeSpan.FromSeconds(10));
                await Task.Yield();
            }

            await database.CreateAsync();
            await host.PlaceOrderAsync(new OrderPlaced(1, "after outage"), new PublishOptions { Delay = TimeSpan.FromSeconds(1) });
            await WaitUntilAsync(
                () =>
                {
                    host.Time.Advance(TimeSpan.FromSeconds(1));
                    return host.Memory.Sent.Count == 1;
                },
                "the poller to send once the database is back");
            Assert.True(host.Dispatcher.ExecuteTask is { IsCompleted: false }, "the dispatcher must still be running");
        }
        finally
        {
            await host.Dispatcher.StopAsync(CancellationToken.None);
        }
    }
}
