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

/// <summary>Delayed messages and the running dispatcher: sending at commit, waking at the due time, claiming while a batch is sent.</summary>
public abstract partial class OutboxScenarios
{
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

    /// <summary>Holds back a batch containing a message <c>held</c> picks until one <c>release</c> picks has been sent.</summary>
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
}
