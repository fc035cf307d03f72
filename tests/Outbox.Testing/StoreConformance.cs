using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Dispatching;
using Outbox.Storage;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>
/// What every store must do, through the public storage contract only (<see cref="IOutboxWriter"/>,
/// <see cref="IDispatchStore"/>, <see cref="ITransactionalStore"/>, <see cref="IInboxStore"/>,
/// <see cref="IRetentionStore"/>, <see cref="IDeadLetterQueue"/>, <see cref="IOutboxMonitor"/>), against the real database. A store's
/// test project derives a class that registers the store on a fresh, empty database and commits a scope's
/// unit of work; the outbox's own scenarios then run on top of it.
/// </summary>
public abstract partial class StoreConformance : IAsyncLifetime
{
    private const string Owner = "instance-a";
    private readonly List<IDispatchClaim> _claims = [];
    private ServiceProvider _services = null!;

    protected FakeTimeProvider Time { get; } = new();

    private DateTimeOffset Now => Time.GetUtcNow();

    private IOutboxStore Store => _services.GetRequiredService<IOutboxStore>();

    private IDispatchStore Dispatch => Store.Dispatch;

    private ITransactionalStore Transactional => Store.Transactions;

    private IInboxStore Inbox => Store.Inbox;

    private IRetentionStore Retention => Store.Retention;

    private IDeadLetterQueue DeadLetters => _services.GetRequiredService<IDeadLetterQueue>();

    /// <summary>Creates a fresh, empty database with the outbox tables.</summary>
    protected abstract Task CreateDatabaseAsync();

    /// <summary>Registers the store under test, on that database, on <paramref name="outbox"/>.</summary>
    protected abstract void UseStore(IOutboxBuilder outbox);

    /// <summary>Commits the unit of work of <paramref name="scope"/>: what <see cref="IOutboxWriter"/> added in it is written.</summary>
    protected abstract Task SaveAsync(IServiceProvider scope);

    /// <summary>Drops the database.</summary>
    protected abstract Task DropDatabaseAsync();

    public async Task InitializeAsync()
    {
        await CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        UseStore(services.AddOutbox(new ConfigurationBuilder().Build()).UseInMemoryTransport());
        _services = services.BuildServiceProvider();
        await Dispatch.ValidateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var claim in _claims)
        {
            await claim.DisposeAsync();
        }

        await _services.DisposeAsync();
        await DropDatabaseAsync();
    }

    [Fact]
    public async Task WrittenMessage_IsClaimedWithEveryFieldAsWritten_AndAnIdOfTheStores()
    {
        var written = Pending("k1") with
        {
            Body = "{\"total\":10}"u8.ToArray(),
            Headers = new Dictionary<string, string> { ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ["tenant"] = "t1" },
            DueAt = Now.AddSeconds(-5),
            NextAttemptAt = Now.AddSeconds(-5),
        };
        await WriteAsync(written);

        var claimed = Assert.Single(await ClaimAsync());

        Assert.True(claimed.Id > 0);
        Assert.Equal(
            (written.MessageId, written.Destination, written.MessageType, written.Key, written.CreatedAt, written.DueAt, MessageKind.Outbox),
            (claimed.MessageId, claimed.Destination, claimed.MessageType, claimed.Key, claimed.CreatedAt, claimed.DueAt, claimed.Kind));
        Assert.Equal(written.Body.ToArray(), claimed.Body.ToArray());
        Assert.Equal(written.Headers.OrderBy(h => h.Key), claimed.Headers.OrderBy(h => h.Key));
        Assert.Equal((Owner, Now.AddSeconds(30)), (claimed.LeaseOwner, claimed.LeaseExpiresAt));
    }

    [Fact]
    public async Task Claim_TakesDuePendingUnleasedMessagesOnly_LongestDueFirst_UpToTheBatchSize()
    {
        await WriteAsync(
            Pending() with { NextAttemptAt = Now.AddSeconds(-1), Destination = "due-1s" },
            Pending() with { NextAttemptAt = Now.AddSeconds(1), Destination = "not-due" },
            Pending() with { NextAttemptAt = Now.AddSeconds(-3), Destination = "due-3s" },
            Pending() with { LeaseOwner = "other", LeaseExpiresAt = Now.AddSeconds(1), Destination = "leased" },
            Pending() with { LeaseOwner = "gone", LeaseExpiresAt = Now.AddSeconds(-1), NextAttemptAt = Now.AddSeconds(-2), Destination = "lease-ran-out" },
            Written(MessageStatus.Prepared) with { Destination = "prepared" },
            Written(MessageStatus.Dispatched) with { Destination = "dispatched" });

        var first = await ClaimAsync(batchSize: 2);
        var rest = await ClaimAsync();

        Assert.Equal(["due-3s", "lease-ran-out"], first.Select(m => m.Destination));
        Assert.Equal(["due-1s"], rest.Select(m => m.Destination));
    }

    [Fact]
    public async Task ClaimGivenUpWithoutCommitting_LetsItsMessagesBeClaimedAgain_AtTheLatestWhenItsLeaseRunsOut()
    {
        await WriteAsync(Pending("k"), Pending());
        var claim = await Dispatch.ClaimAsync(Owner, Now, Now.AddSeconds(30), 100, CancellationToken.None);
        Assert.Equal(2, claim.Messages.Count);

        await claim.DisposeAsync();
        Time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(claim.Messages.Select(m => m.Id).Order(), (await ClaimAsync()).Select(m => m.Id).Order());
    }

    [Fact]
    public async Task Claim_LeasesAKeysRunFromItsOldestUnsentMessage_AndNothingOfAKeyWhoseOldestIsHeld()
    {
        await WriteAsync(
            Pending("run"), Pending("run"), Pending("run"),
            Written(MessageStatus.Prepared, "held"), Pending("held"),
            Pending("late") with { NextAttemptAt = Now.AddMinutes(1) }, Pending("late"));

        var claimed = await ClaimAsync();

        Assert.Equal(["run", "run", "run"], claimed.Select(m => m.Key));
    }

    [Fact]
    public async Task ConcurrentClaims_NeverLeaseOneMessageTwice_AndKeepEachKeyWithOneOwner()
    {
        await WriteAsync([.. Enumerable.Range(0, 120).Select(i => Pending(i % 3 == 0 ? null : $"key-{i % 7}"))]);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Dispatch.ClaimAsync($"instance-{i}", Now, Now.AddSeconds(30), 50, CancellationToken.None)));
        _claims.AddRange(claims);

        var ids = claims.SelectMany(c => c.Messages.Select(m => m.Id)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var owners = claims.SelectMany((c, i) => c.Messages.Where(m => m.Key is not null).Select(m => (m.Key, Owner: i))).Distinct().GroupBy(o => o.Key);
        Assert.All(owners, key => Assert.Single(key));
    }

    [Fact]
    public async Task OldestUnsentIds_CountPendingAndInterceptorPreparedMessages_NotHalfOrSentOnes()
    {
        await WriteAsync(
            Written(MessageStatus.Dispatched, "a"), Written(MessageStatus.Prepared, "a"), Pending("a"),
            Written(MessageStatus.Prepared, "b") with { Kind = MessageKind.Transactional }, Pending("b"),
            Written(MessageStatus.RolledBack, "c"));
        var pending = (await ClaimAsync()).ToDictionary(m => m.Key!, m => m.Id); // a's is held behind its prepared message

        var oldest = await Dispatch.GetOldestUnsentIdsAsync(["a", "b", "c"], CancellationToken.None);

        Assert.Equal(["a", "b"], oldest.Keys.Order());
        Assert.Equal(["b"], pending.Keys);
        Assert.Equal(pending["b"], oldest["b"]);
    }

    [Fact]
    public async Task MarkDispatched_EndsTheMessage_AndRetentionDeletesItOnceOld()
    {
        await WriteAsync(Pending("k"), Pending("k"));
        var claim = await OpenClaimAsync();
        var first = claim.Messages.MinBy(m => m.Id)!;

        await claim.MarkDispatchedAsync([first.Id], Now, CancellationToken.None);
        await claim.CommitAsync(CancellationToken.None);

        var oldest = await Dispatch.GetOldestUnsentIdsAsync(["k"], CancellationToken.None);
        Assert.True(oldest["k"] > first.Id);
        Assert.Equal(0, await Retention.DeleteFinishedAsync(Now, 100, CancellationToken.None));
        Assert.Equal(1, await Retention.DeleteFinishedAsync(Now.AddSeconds(1), 100, CancellationToken.None));
    }

    [Fact]
    public async Task MarkFailed_MakesTheMessagePendingLater_WithItsAttemptsAndError_AndReleaseCountsNoAttempt()
    {
        await WriteAsync(Pending(), Pending());
        var claim = await OpenClaimAsync();
        var claimed = claim.Messages;

        await claim.MarkFailedAsync([new DispatchFailure(claimed[0].Id, 3, Now.AddSeconds(10), "broker said no")], CancellationToken.None);
        await claim.ReleaseAsync([claimed[1].Id], Now.AddSeconds(5), CancellationToken.None);
        await claim.CommitAsync(CancellationToken.None);

        Assert.Empty(await ClaimAsync());
        Assert.Equal(Now.AddSeconds(5), await Dispatch.GetNextDueAsync(Now, CancellationToken.None));
        Time.Advance(TimeSpan.FromSeconds(10));
        var again = (await ClaimAsync()).ToDictionary(m => m.Id);
        Assert.Equal((3, "broker said no"), (again[claimed[0].Id].Attempts, again[claimed[0].Id].LastError));
        Assert.Equal(0, again[claimed[1].Id].Attempts);
    }

    [Fact]
    public async Task DeadLetter_MovesTheMessageWithItsReason_AndARequeueSendsItAgain()
    {
        var written = Pending("k") with { Headers = new Dictionary<string, string> { ["tenant"] = "t1" } };
        await WriteAsync(written);
        var claim = await OpenClaimAsync();
        var claimed = Assert.Single(claim.Messages);

        await claim.DeadLetterAsync([new DeadLetterRequest(claimed, "max-attempts", 10, "unroutable", DeadLetterSources.Dispatch)], Now, CancellationToken.None);
        await claim.CommitAsync(CancellationToken.None);

        Assert.Empty(await Dispatch.GetOldestUnsentIdsAsync(["k"], CancellationToken.None));
        var dead = Assert.Single(await DeadLetters.ListAsync());
        Assert.Equal((written.MessageId, "max-attempts", 10, "unroutable", "t1"), (dead.MessageId, dead.Reason, dead.Attempts, dead.LastError, dead.Headers["tenant"]));
        Assert.True(await DeadLetters.RequeueAsync(written.MessageId));
        Assert.Equal(written.MessageId, Assert.Single(await ClaimAsync()).MessageId);
        Assert.Empty(await DeadLetters.ListAsync());
    }

    [Fact]
    public async Task EarliestDueUnsent_IsTheDueTimeOfTheMostOverduePendingOrPreparedMessage()
    {
        Assert.Null(await Dispatch.GetEarliestDueUnsentAsync(CancellationToken.None));
        await WriteAsync(
            Written(MessageStatus.Dispatched) with { DueAt = Now.AddMinutes(-9) },
            Pending() with { CreatedAt = Now.AddMinutes(-20), DueAt = Now.AddMinutes(-2) },
            Written(MessageStatus.Prepared) with { CreatedAt = Now.AddMinutes(-4), DueAt = Now.AddMinutes(-3) });

        Assert.Equal(Now.AddMinutes(-3), await Dispatch.GetEarliestDueUnsentAsync(CancellationToken.None));
    }

    [Fact]
    public async Task HalfMessage_CommitsOnce_AndLaterDecisionsReportWhatItIs()
    {
        var half = Half();
        var rolledBack = Half();
        await Transactional.PrepareAsync(half, CancellationToken.None);
        await Transactional.PrepareAsync(rolledBack, CancellationToken.None);

        Assert.Empty(await ClaimAsync());
        Assert.Equal(new HalfMessageDecision(true, MessageStatus.Pending), await Transactional.CommitAsync(half.MessageId, Now, CancellationToken.None));
        Assert.Equal(new HalfMessageDecision(false, MessageStatus.Pending), await Transactional.RollbackAsync(half.MessageId, CancellationToken.None));
        Assert.Equal(new HalfMessageDecision(true, MessageStatus.RolledBack), await Transactional.RollbackAsync(rolledBack.MessageId, CancellationToken.None));
        Assert.Equal(new HalfMessageDecision(false, MessageStatus.RolledBack), await Transactional.CommitAsync(rolledBack.MessageId, Now, CancellationToken.None));
        Assert.Equal(new HalfMessageDecision(false, null), await Transactional.CommitAsync(Guid.NewGuid(), Now, CancellationToken.None));
        Assert.Equal(half.MessageId, Assert.Single(await ClaimAsync()).MessageId);
    }

    [Fact]
    public async Task Checks_ClaimDueHalfMessagesOnce_AndADecisionThatArrivedMeanwhileWins()
    {
        var (commit, rollback, unknown, decidedMeanwhile) = (Half(), Half(), Half(), Half());
        foreach (var half in new[] { commit, rollback, unknown, decidedMeanwhile, Half() with { NextAttemptAt = Now.AddMinutes(10) } })
        {
            await Transactional.PrepareAsync(half, CancellationToken.None);
        }

        var claims = await Task.WhenAll(ClaimChecksAsync("instance-a"), ClaimChecksAsync("instance-b"));
        var claimed = claims[0].Select(m => (Message: m, Owner: "instance-a"))
            .Concat(claims[1].Select(m => (Message: m, Owner: "instance-b")))
            .ToDictionary(c => c.Message.MessageId); // throws if two instances leased one message
        Assert.Equal(4, claimed.Count);
        await Transactional.CommitAsync(decidedMeanwhile.MessageId, Now, CancellationToken.None);

        Assert.Equal(0, await Decide(decidedMeanwhile, (ids, owner) => Transactional.CommitCheckedAsync(ids, owner, Now, CancellationToken.None)));
        Assert.Equal(1, await Decide(commit, (ids, owner) => Transactional.CommitCheckedAsync(ids, owner, Now, CancellationToken.None)));
        Assert.Equal(0, await Transactional.RollbackCheckedAsync([claimed[rollback.MessageId].Message.Id], "not-the-owner", CancellationToken.None));
        Assert.Equal(1, await Decide(rollback, (ids, owner) => Transactional.RollbackCheckedAsync(ids, owner, CancellationToken.None)));
        Assert.Equal(1, await Decide(unknown, (ids, owner) => Transactional.ScheduleNextCheckAsync(ids, owner, Now.AddMinutes(2), "gateway timed out", CancellationToken.None)));

        Assert.Equal(new[] { commit.MessageId, decidedMeanwhile.MessageId }.Order(), (await ClaimAsync()).Select(m => m.MessageId).Order());
        Time.Advance(TimeSpan.FromMinutes(2));
        var next = Assert.Single(await ClaimChecksAsync(Owner));
        Assert.Equal((unknown.MessageId, 1, "gateway timed out"), (next.MessageId, next.CheckCount, next.LastError));
        Assert.Equal(1, await Transactional.DeadLetterUndecidedAsync([new DeadLetterRequest(next, "check-limit-reached", 2, next.LastError, DeadLetterSources.TransactionCheck)], Owner, Now, CancellationToken.None));
        Assert.Equal(unknown.MessageId, Assert.Single(await DeadLetters.ListAsync()).MessageId);

        // A check's decision, from the instance that leased the message.
        Task<int> Decide(StoredMessage half, Func<long[], string, Task<int>> decide) =>
            decide([claimed[half.MessageId].Message.Id], claimed[half.MessageId].Owner);
    }

    [Fact]
    public async Task StalePreparedMessages_WhoseLeaseRanOut_BecomePending_ExceptCheckedTypes()
    {
        await WriteAsync(
            Written(MessageStatus.Prepared) with { LeaseOwner = "crashed", LeaseExpiresAt = Now.AddSeconds(-1), Destination = "recovered" },
            Written(MessageStatus.Prepared) with { LeaseOwner = "alive", LeaseExpiresAt = Now.AddSeconds(20), Destination = "still-leased" },
            Written(MessageStatus.Prepared) with { LeaseOwner = "crashed", LeaseExpiresAt = Now.AddSeconds(-1), MessageType = "Checked", Destination = "checked" });

        Assert.Equal(1, await Transactional.RecoverStalePreparedAsync(Now, Now, ["Checked"], 100, CancellationToken.None));

        Assert.Equal(["recovered"], (await ClaimAsync()).Select(m => m.Destination));
        Assert.Equal(["checked"], (await ClaimChecksAsync(Owner, checkedTypes: ["Checked"])).Select(m => m.Destination));
    }

    [Fact]
    public async Task Inbox_RunsTheHandlerOncePerConsumer_CommittingWhatItWritesWithTheInboxRecord()
    {
        var id = Guid.NewGuid();
        var published = Pending() with { Destination = "orders.shipped" };
        var runs = 0;
        Task Handle(IServiceProvider scope, CancellationToken ct)
        {
            runs++;
            Store.Writer(scope).Add(published with { MessageId = Guid.NewGuid() });
            return Task.CompletedTask;
        }

        Assert.True(await Inbox.HandleOnceAsync(id, "shipping", Handle, CancellationToken.None));
        Assert.False(await Inbox.HandleOnceAsync(id, "shipping", Handle, CancellationToken.None));
        Assert.True(await Inbox.HandleOnceAsync(id, "billing", Handle, CancellationToken.None));

        Assert.Equal(2, runs);
        Assert.Equal(2, (await ClaimAsync()).Count);
    }

    [Fact]
    public async Task Inbox_WhenTheHandlerThrows_RollsBackItsWritesAndTheRecord_AndThrowsItsException()
    {
        var id = Guid.NewGuid();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => Inbox.HandleOnceAsync(
            id,
            "shipping",
            (scope, _) =>
            {
                Store.Writer(scope).Add(Pending());
                throw new InvalidOperationException("handler failed");
            },
            CancellationToken.None));

        Assert.Equal("handler failed", failure.Message);
        Assert.Empty(await ClaimAsync());
        Assert.True(await Inbox.HandleOnceAsync(id, "shipping", (_, _) => Task.CompletedTask, CancellationToken.None));
    }

    [Fact]
    public async Task InboxRecords_AreKeptForTheDedupeWindow_ThenDeleted()
    {
        var id = Guid.NewGuid();
        await Inbox.HandleOnceAsync(id, "shipping", (_, _) => Task.CompletedTask, CancellationToken.None);
        Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, await Retention.DeleteInboxAsync(Now.AddMinutes(-2), 100, CancellationToken.None));
        Assert.False(await Inbox.HandleOnceAsync(id, "shipping", (_, _) => Task.CompletedTask, CancellationToken.None));
        Assert.Equal(1, await Retention.DeleteInboxAsync(Now, 100, CancellationToken.None));
        Assert.True(await Inbox.HandleOnceAsync(id, "shipping", (_, _) => Task.CompletedTask, CancellationToken.None));
    }

    [Fact]
    public async Task DeadLetters_OlderThanTheCutOff_AreDeletedABatchAtATime()
    {
        var recorded = new[] { -10, -9, -8, 0 }.Select(minutes => (Id: Guid.NewGuid(), At: Now.AddMinutes(minutes))).ToList();
        foreach (var (id, at) in recorded)
        {
            var message = new TransportMessage(id, "orders.placed", "OrderPlaced", "k", "{}"u8.ToArray(), "application/json", new Dictionary<string, string>(), Time.GetUtcNow());
            await Inbox.DeadLetterDeliveryAsync(message, "billing", "max-deliveries", 5, "handler failed", at, null, CancellationToken.None);
        }

        Assert.Equal(2, await Retention.DeleteDeadLettersAsync(Now.AddMinutes(-5), 2, CancellationToken.None));
        Assert.Equal(1, await Retention.DeleteDeadLettersAsync(Now.AddMinutes(-5), 2, CancellationToken.None));
        Assert.Equal(0, await Retention.DeleteDeadLettersAsync(Now.AddMinutes(-5), 2, CancellationToken.None));
        Assert.Equal(recorded[^1].Id, Assert.Single(await DeadLetters.ListAsync()).MessageId);
    }

    [Fact]
    public async Task ConsumerDeadLetter_IsListed_AndARequeueTargetsThatConsumer()
    {
        var message = new TransportMessage(Guid.NewGuid(), "orders.placed", "OrderPlaced", "k", "{}"u8.ToArray(), "application/json", new Dictionary<string, string>(), Time.GetUtcNow());

        await Inbox.DeadLetterDeliveryAsync(message, "billing", "max-deliveries", 5, "handler failed", Now, null, CancellationToken.None);

        var dead = Assert.Single(await DeadLetters.ListAsync());
        Assert.Equal((message.MessageId, "max-deliveries", 5), (dead.MessageId, dead.Reason, dead.Attempts));
        Assert.True(await DeadLetters.RequeueAsync(message.MessageId));
        Assert.Equal("billing", Assert.Single(await ClaimAsync()).Headers[TransportMessage.ConsumerHeader]);
    }

    [Fact]
    public async Task CommittedMessages_ReachTheDispatcher_WithTheIdsTheStoreGaveThem()
    {
        var signal = _services.GetRequiredService<DispatchSignal>();
        var prepared = Written(MessageStatus.Prepared, "k") with { LeaseOwner = Owner, LeaseExpiresAt = Now.AddSeconds(30) };

        await WriteAsync(prepared, Pending());

        var handedOver = new List<StoredMessage>();
        while (signal.CommittedMessages.TryRead(out var message))
        {
            handedOver.Add(message);
        }

        var committed = Assert.Single(handedOver);
        Assert.Equal(prepared.MessageId, committed.MessageId);
        Assert.Equal(committed.Id, (await Dispatch.GetOldestUnsentIdsAsync([prepared.Key!], CancellationToken.None))[prepared.Key!]);
    }

    private StoredMessage Written(MessageStatus status, string? key = null) => new()
    {
        MessageId = Guid.CreateVersion7(),
        Destination = "orders.placed",
        MessageType = "OrderPlaced",
        Key = key,
        Body = "{}"u8.ToArray(),
        Status = status,
        CreatedAt = Now,
        DueAt = Now,
        NextAttemptAt = Now,
    };

    private StoredMessage Pending(string? key = null) => Written(MessageStatus.Pending, key);

    private StoredMessage Half() => Written(MessageStatus.Prepared) with { Kind = MessageKind.Transactional };

    private async Task WriteAsync(params StoredMessage[] messages)
    {
        await using var scope = _services.CreateAsyncScope();
        var writer = Store.Writer(scope.ServiceProvider);
        foreach (var message in messages)
        {
            writer.Add(message);
        }

        await SaveAsync(scope.ServiceProvider);
    }

    /// <summary>Claims and returns the messages; the claim stays open until the test ends, as one being sent.</summary>
    private async Task<IReadOnlyList<StoredMessage>> ClaimAsync(int batchSize = 100) => (await OpenClaimAsync(batchSize)).Messages;

    private async Task<IDispatchClaim> OpenClaimAsync(int batchSize = 100)
    {
        var claim = await Dispatch.ClaimAsync(Owner, Now, Now.AddSeconds(30), batchSize, CancellationToken.None);
        _claims.Add(claim);
        return claim;
    }

    private Task<IReadOnlyList<StoredMessage>> ClaimChecksAsync(string owner, IReadOnlyCollection<string>? checkedTypes = null) =>
        Transactional.ClaimChecksAsync(owner, Now, Now.AddSeconds(30), Now, checkedTypes ?? [], 100, CancellationToken.None);
}
