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

/// <summary>End-to-end behaviour of the outbox on a real database; each provider's test project runs them all.</summary>
public abstract class OutboxScenarios : DatabaseScenarios
{
    /// <summary>Whether two instances claim rows at the same time (PostgreSQL), rather than one after the other (SQLite's single writer).</summary>
    protected virtual bool ClaimsConcurrently => false;

    protected OutboxTestHost Host(
        FakeTimeProvider? time = null,
        ITransport? transport = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var host = OutboxTestHost.Create(Database, time, transport, settings, services);
        return Track(host);
    }

    [Fact]
    public async Task Commit_PublishesExactlyOnce()
    {
        var host = Host();
        var id = await host.PlaceOrderAsync(new OrderPlaced(1, "ada"), new PublishOptions { Headers = new Dictionary<string, string> { ["tenant"] = "t1" } });

        await host.DrainAsync();
        await host.PollUntilIdleAsync();

        var sent = Assert.Single(host.Memory.Sent);
        Assert.Equal(id, sent.MessageId);
        Assert.Equal("orders.placed", sent.Destination);
        Assert.Equal("OrderPlaced", sent.MessageType);
        Assert.Equal("t1", sent.Headers["tenant"]);
        Assert.Equal("""{"orderId":1,"customer":"ada"}""", System.Text.Encoding.UTF8.GetString(sent.Body.Span));
        var row = Assert.Single(await host.RowsAsync());
        Assert.Equal(MessageStatus.Dispatched, row.Status);
        Assert.Null(row.LeaseOwner);
        Assert.Equal(1, await host.CountOrdersAsync());
    }

    [Fact]
    public async Task Rollback_DispatchesNothing()
    {
        var host = Host();
        await host.InScopeAsync(async (db, outbox) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Orders.Add(new Order { Customer = "bob" });
            await outbox.PublishAsync(new OrderPlaced(2, "bob"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        });

        await host.DrainAsync();
        host.Time.Advance(TimeSpan.FromMinutes(5));
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        await host.PollUntilIdleAsync();

        Assert.Empty(host.Memory.Sent);
        Assert.Empty(await host.RowsAsync());
        Assert.Equal(0, await host.CountOrdersAsync());
    }

    [Fact]
    public async Task ExplicitTransaction_SeveralSaveChanges_PublishOnlyAfterCommit()
    {
        var host = Host();
        await host.InScopeAsync(async (db, outbox) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await outbox.PublishAsync(new OrderPlaced(1, "first"), new PublishOptions { Key = "k" });
            await db.SaveChangesAsync();
            await outbox.PublishAsync(new OrderPlaced(2, "second"), new PublishOptions { Key = "k" });
            await db.SaveChangesAsync();

            await host.DrainAsync();
            Assert.Empty(host.Memory.Sent);

            await transaction.CommitAsync();
        });

        await host.DrainAsync();

        Assert.Equal(["first", "second"], host.Memory.Sent.Select(Customer));
        Assert.All(await host.RowsAsync(), r => Assert.Equal(MessageStatus.Dispatched, r.Status));
    }

    [Fact]
    public async Task DisposedTransaction_WithoutCommit_DispatchesNothing()
    {
        var host = Host();
        await host.InScopeAsync(async (db, outbox) =>
        {
            await using (await db.Database.BeginTransactionAsync())
            {
                await outbox.PublishAsync(new OrderPlaced(1, "gone"));
                await db.SaveChangesAsync();
            }

            // The context is used again: nothing of the abandoned transaction is written or sent.
            db.Orders.Add(new Order { Customer = "kept" });
            await db.SaveChangesAsync();
        });

        await host.DrainAsync();

        Assert.Empty(host.Memory.Sent);
        Assert.Empty(await host.RowsAsync());
    }

    [Fact]
    public async Task UseTransaction_CommittedOutsideEfCore_IsSentByRecovery()
    {
        var host = Host();
        await host.InScopeAsync(async (db, outbox) =>
        {
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await db.Database.UseTransactionAsync(transaction);
            await outbox.PublishAsync(new OrderPlaced(3, "raw"));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });

        await host.DrainAsync();
        Assert.Empty(host.Memory.Sent);

        host.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await host.Maintenance.RecoverAsync(CancellationToken.None));
        await host.PollUntilIdleAsync();

        Assert.Equal(["raw"], host.Memory.Sent.Select(Customer));
    }

    [Fact]
    public async Task ExecutionStrategyRetry_WritesAndSendsEachMessageOnce()
    {
        var failOnce = new FailFirstCommit();
        var host = OutboxTestHost.Create(Database, services: s => s.AddSingleton(failOnce));
        Track(host);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var options = new DbContextOptionsBuilder<ShopContext>();
            Database.Configure(options);
            options.UseOutbox(host.Services).AddInterceptors(failOnce);
            await using var db = new ShopContext(options.Options);
            var outbox = OutboxOf(scope.ServiceProvider, db);
            var strategy = new RetryOnce(db);

            await strategy.ExecuteAsync(async () =>
            {
                // Each attempt starts from a clean context, as EF Core's guidance on retried transactions says.
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync();
                db.Orders.Add(new Order { Customer = "retry" });
                await outbox.PublishAsync(new OrderPlaced(4, "retry"));
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            });
        }

        await host.DrainAsync();

        Assert.Equal(1, failOnce.Failures);
        Assert.Single(await host.RowsAsync());
        Assert.Equal(["retry"], host.Memory.Sent.Select(Customer));
    }

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
    public async Task DelayedMessage_IsNotSentBeforeItsDueTime_AndIsSentAtIt()
    {
        var host = Host();
        await host.PlaceOrderAsync(new OrderPlaced(11, "later"), new PublishOptions { Delay = TimeSpan.FromSeconds(30) });
        Assert.Equal(0, await host.DrainAsync());
        var row = Assert.Single(await host.RowsAsync());
        Assert.Equal(MessageStatus.Pending, row.Status);
        Assert.Equal(row.CreatedAt.AddSeconds(30), await host.Store.GetNextDueAsync(host.Time.GetUtcNow(), CancellationToken.None));

        host.Time.Advance(TimeSpan.FromSeconds(29.9));
        Assert.Equal(0, await host.PollAsync());
        host.Time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(1, await host.PollAsync());
        Assert.Equal(["later"], host.Memory.Sent.Select(Customer));
    }

    [Fact]
    public async Task RunningDispatcher_WakesAtTheDueTime_NotAtThePollInterval()
    {
        var host = Host(settings: new Dictionary<string, string?>
        {
            ["Outbox:Dispatch:PollInterval"] = "00:10:00",
            ["Outbox:Dispatch:MaxPollInterval"] = "00:10:00",
        });
        await host.Dispatcher.StartAsync(CancellationToken.None);
        try
        {
            await host.PlaceOrderAsync(new OrderPlaced(12, "timed"), new PublishOptions { Delay = TimeSpan.FromSeconds(5) });
            var due = host.Time.GetUtcNow().AddSeconds(5);
            await WaitUntilAsync(() => host.Time.HasTimerDueAt(due), "the dispatcher to set a timer for the due time");

            host.Time.Advance(TimeSpan.FromSeconds(4.9));
            Assert.Empty(host.Memory.Sent);
            host.Time.Advance(TimeSpan.FromSeconds(0.1));
            await WaitUntilAsync(() => host.Memory.Sent.Count == 1, "the delayed message to be sent");
            Assert.Equal(due, host.Time.GetUtcNow());
        }
        finally
        {
            await host.Dispatcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task RunningDispatcher_RowFallingDueWhileItClaims_IsSentAtOnce_NotAtThePollInterval()
    {
        // The clock passes the row's due time while the poller claims: the claim did not take the row
        // (not due yet), so the poller must see it as due now rather than sleep for the poll interval.
        var time = new FakeTimeProvider();
        var clockMovesDuringClaim = false;
        var host = Host(
            time,
            settings: new Dictionary<string, string?> { ["Outbox:Dispatch:PollInterval"] = "00:10:00", ["Outbox:Dispatch:MaxPollInterval"] = "00:10:00" },
            services: s => s.Decorate<IOutboxStore>(store => ClockMovingStore.Create(store, () =>
            {
                if (clockMovesDuringClaim)
                {
                    clockMovesDuringClaim = false;
                    time.Advance(TimeSpan.FromMilliseconds(2));
                }
            })));
        await host.Dispatcher.StartAsync(CancellationToken.None);
        try
        {
            await host.PlaceOrderAsync(new OrderPlaced(14, "racing"), new PublishOptions { Delay = TimeSpan.FromSeconds(5) });
            var due = time.GetUtcNow().AddSeconds(5);
            await WaitUntilAsync(() => time.HasTimerDueAt(due), "the dispatcher to set a timer for the due time");

            time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
            clockMovesDuringClaim = true;
            host.Services.GetRequiredService<DispatchSignal>().Wake(); // something else wakes the poller 1 ms before the due time

            await WaitUntilAsync(() => host.Memory.Sent.Count == 1, "the row that fell due during the claim to be sent");
            Assert.False(clockMovesDuringClaim);
        }
        finally
        {
            await host.Dispatcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task RunningDispatcher_SendsAtCommit_WithoutWaitingForAPoll()
    {
        var host = Host(settings: new Dictionary<string, string?> { ["Outbox:Dispatch:PollInterval"] = "00:10:00", ["Outbox:Dispatch:MaxPollInterval"] = "00:10:00" });
        await host.Dispatcher.StartAsync(CancellationToken.None);
        try
        {
            await host.PlaceOrderAsync(new OrderPlaced(13, "now"));
            await WaitUntilAsync(() => host.Memory.Sent.Count == 1, "the fast path to send");
            await WaitUntilAsync(() => host.RowsAsync().Result.All(r => r.Status == MessageStatus.Dispatched), "the row to be marked dispatched");
        }
        finally
        {
            await host.Dispatcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task RunningDispatcher_ClaimsTheNextBatchWhileOneIsBeingSent_AndKeepsKeyOrder()
    {
        var time = new FakeTimeProvider();
        var writer = Host(time);
        await writer.InScopeAsync(async (db, outbox) =>
        {
            foreach (var (customer, key) in new[] { ("a1", "a"), ("b1", "b"), ("a2", "a"), ("c1", "c") })
            {
                await outbox.PublishAsync(new OrderPlaced(0, customer), new PublishOptions { Key = key });
            }

            await db.SaveChangesAsync();
        });

        // The writer died before sending. The batch holding a1 and b1 stays at the broker until c1,
        // from the next batch, has been sent: only a poller that claims while a batch is out gets there.
        time.Advance(TimeSpan.FromMinutes(1));
        var transport = new HeldTransport(held: m => Customer(m) == "a1", release: m => Customer(m) == "c1");
        var relay = Host(time, transport, new Dictionary<string, string?>
        {
            ["Outbox:Dispatch:BatchSize"] = "2",
            ["Outbox:Dispatch:PollInterval"] = "00:10:00",
            ["Outbox:Dispatch:MaxPollInterval"] = "00:10:00",
        });
        await relay.Maintenance.RecoverAsync(CancellationToken.None);
        await relay.Dispatcher.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilAsync(() => transport.Sent.Count == 4, "all four messages to be sent");
        }
        finally
        {
            await relay.Dispatcher.StopAsync(CancellationToken.None);
        }

        // a2 waited for a1, its key's older message, although it was claimable before a1 was sent.
        Assert.Equal(["c1", "a1", "b1", "a2"], transport.Sent.Select(Customer));
        Assert.All(await relay.RowsAsync(), r => Assert.Equal(MessageStatus.Dispatched, r.Status));
    }

    [Fact]
    public async Task RunningDispatcher_WhileAKeyIsInFlight_WaitsForItsBatch_InsteadOfClaimingAgainAndAgain()
    {
        var time = new FakeTimeProvider();
        var writer = Host(time);
        await writer.InScopeAsync(async (db, outbox) =>
        {
            foreach (var customer in new[] { "a1", "a2", "a3" })
            {
                await outbox.PublishAsync(new OrderPlaced(0, customer), new PublishOptions { Key = "a" });
            }

            await db.SaveChangesAsync();
        });

        // The writer died before sending. a1's batch stays at the broker; a2 and a3 are due, but no claim
        // takes them while a1 is unsent.
        time.Advance(TimeSpan.FromMinutes(1));
        var transport = new HeldTransport(held: m => Customer(m) == "a1", release: _ => false);
        var claims = 0;
        var relay = Host(
            time,
            transport,
            new Dictionary<string, string?>
            {
                ["Outbox:Dispatch:BatchSize"] = "1",
                ["Outbox:Dispatch:PollInterval"] = "00:10:00",
                ["Outbox:Dispatch:MaxPollInterval"] = "00:10:00",
            },
            services: s => s.Decorate<IOutboxStore>(store => ClockMovingStore.Create(store, () => Interlocked.Increment(ref claims))));
        await relay.Maintenance.RecoverAsync(CancellationToken.None);
        await relay.Dispatcher.StartAsync(CancellationToken.None);
        try
        {
            var pollInterval = time.GetUtcNow().AddMinutes(10);
            await WaitUntilAsync(() => time.HasTimerDueAt(pollInterval), "the poller to wait for the batch in flight");
            Assert.Equal(2, Volatile.Read(ref claims)); // a1's, and one that found a2 behind it

            transport.Release(); // its end wakes the poller
            await WaitUntilAsync(() => transport.Sent.Count == 3, "all three messages to be sent");
        }
        finally
        {
            await relay.Dispatcher.StopAsync(CancellationToken.None);
        }

        Assert.Equal(["a1", "a2", "a3"], transport.Sent.Select(Customer));
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

    [Fact]
    public async Task UnconnectedContext_PublishFailsWithAClearError()
    {
        var host = Host();
        var options = new DbContextOptionsBuilder<ShopContext>();
        Database.Configure(options);
        await using var db = new ShopContext(options.Options);
        await using var scope = host.Services.CreateAsyncScope();
        var outbox = OutboxOf(scope.ServiceProvider, db);

        var error = await Assert.ThrowsAsync<OutboxException>(() => outbox.PublishAsync(new OrderPlaced(1, "x")).AsTask());
        Assert.Contains("UseOutbox(sp)", error.Message);
    }

    protected static string Customer(TransportMessage message) => Customer(message.Body);

    protected static long OrderId(TransportMessage message) =>
        System.Text.Json.JsonDocument.Parse(message.Body).RootElement.GetProperty("orderId").GetInt64();

    protected static string Customer(ReadOnlyMemory<byte> body) =>
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("customer").GetString()!;

    protected static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Holds back a batch containing a message <c>held</c> picks until one <c>release</c> picks has been sent.</summary>
    // The outbox of a context created by the test rather than by the scope.
    private static IOutbox OutboxOf(IServiceProvider scope, ShopContext db) => ActivatorUtilities.CreateInstance<Outbox.Publishing.ScopedOutbox>(
        scope, ActivatorUtilities.CreateInstance<Outbox.EntityFrameworkCore.Publishing.EntityFrameworkOutboxWriter<ShopContext>>(scope, db));

    private sealed class HeldTransport(Func<TransportMessage, bool> held, Func<TransportMessage, bool> release) : ITransport
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Collections.Concurrent.ConcurrentQueue<TransportMessage> _sent = new();

        public IReadOnlyList<TransportMessage> Sent => [.. _sent];

        public void Release() => _released.TrySetResult();

        public async ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
        {
            if (batch.Any(held))
            {
                await _released.Task.WaitAsync(cancellationToken);
            }

            foreach (var message in batch)
            {
                _sent.Enqueue(message);
            }

            if (batch.Any(release))
            {
                _released.TrySetResult();
            }

            return [.. batch.Select(_ => SendResult.Sent)];
        }
    }

    /// <summary>Throws a transient error at the first commit it sees, as a dropped connection would.</summary>
    public sealed class FailFirstCommit : DbTransactionInterceptor
    {
        public int Failures { get; private set; }

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Failures == 0)
            {
                Failures++;
                throw new TimeoutException("simulated transient failure at commit");
            }

            return ValueTask.FromResult(result);
        }
    }

    /// <summary>An execution strategy that retries once on <see cref="TimeoutException"/>.</summary>
    private sealed class RetryOnce(DbContext context) : ExecutionStrategy(context, maxRetryCount: 1, maxRetryDelay: TimeSpan.Zero)
    {
        protected override bool ShouldRetryOn(Exception exception) => exception is TimeoutException;

        protected override TimeSpan? GetNextDelay(Exception lastException) => ExceptionsEncountered.Count <= MaxRetryCount ? TimeSpan.Zero : null;
    }
}
