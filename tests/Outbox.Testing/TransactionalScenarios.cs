using Microsoft.Extensions.DependencyInjection;
using Outbox.Storage;
using Outbox.Transactions;
using Xunit;

namespace Outbox.Testing;

/// <summary>Half messages with check-back on a real database; each provider's test project runs them all.</summary>
public abstract class TransactionalScenarios : DatabaseScenarios
{
    private static readonly TimeSpan PastCheckAfter = TimeSpan.FromSeconds(7);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(30);

    protected CheckScript Script { get; } = new();

    [Fact]
    public async Task Commit_SendsTheHalfMessage_Once()
    {
        var host = Host();
        var half = await PrepareAsync(host, 1);
        await host.DrainAsync();
        Assert.Equal(0, await host.PollUntilIdleAsync());

        await Outbox(host, o => o.CommitAsync(half.MessageId));
        await Outbox(host, o => o.CommitAsync(half.MessageId));
        await host.PollUntilIdleAsync();

        Assert.Equal(half.MessageId, Assert.Single(host.Memory.Sent).MessageId);
        Assert.Equal(0, Script.TotalCalls);
    }

    [Fact]
    public async Task Rollback_SendsNothing_IsNeverChecked_AndALaterCommitIsAConflict()
    {
        var host = Host();
        var half = await PrepareAsync(host, 2);
        await Outbox(host, o => o.RollbackAsync(half.MessageId));

        host.Time.Advance(TimeSpan.FromMinutes(5));
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        await host.PollUntilIdleAsync();

        Assert.Empty(host.Memory.Sent);
        Assert.Equal(0, Script.TotalCalls);
        Assert.Equal(MessageStatus.RolledBack, Assert.Single(await host.RowsAsync()).Status);
        var conflict = await Assert.ThrowsAsync<TransactionConflictException>(() => Outbox(host, o => o.CommitAsync(half.MessageId)));
        Assert.Equal(TransactionOutcome.RolledBack, conflict.Standing);
    }

    [Fact]
    public async Task LocalTransactionThrows_ThenTheCheckSaysCommit_MessageIsSent()
    {
        var host = Host();
        Script.Answer = (_, _) => ValueTask.FromResult(LocalTransactionState.Commit);

        var result = await OutboxResult(host, o => o.SendInTransactionAsync<PaymentRequested>(
            new PaymentRequested(3, 9.5m),
            (_, _) => throw new TimeoutException("gateway timed out")));

        Assert.Equal((LocalTransactionState.Unknown, TransactionOutcome.AwaitingCheck, false), (result.LocalState, result.Outcome, result.Conflict));
        host.Time.Advance(TimeSpan.FromSeconds(5));
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        Assert.Equal(0, Script.TotalCalls);

        host.Time.Advance(TimeSpan.FromSeconds(2));
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        await host.PollUntilIdleAsync();

        Assert.Equal(1, Script.CallsFor(result.MessageId));
        Assert.Equal(result.MessageId, Assert.Single(host.Memory.Sent).MessageId);
    }

    [Fact]
    public async Task SendInTransaction_Commit_And_Rollback_AreAppliedAtOnce()
    {
        var host = Host();

        var committed = await OutboxResult(host, o => o.SendInTransactionAsync(new PaymentRequested(4, 1m), (_, _) => ValueTask.FromResult(LocalTransactionState.Commit)));
        var rolledBack = await OutboxResult(host, o => o.SendInTransactionAsync(new PaymentRequested(5, 1m), (_, _) => ValueTask.FromResult(LocalTransactionState.Rollback)));
        await host.PollUntilIdleAsync();

        Assert.Equal(TransactionOutcome.Committed, committed.Outcome);
        Assert.Equal(TransactionOutcome.RolledBack, rolledBack.Outcome);
        Assert.Equal(committed.MessageId, Assert.Single(host.Memory.Sent).MessageId);
    }

    [Fact]
    public async Task UnknownFiveTimes_ThenCommit_IsCheckedEveryCheckInterval_AndSent()
    {
        var host = Host();
        Script.Answer = (_, context) => ValueTask.FromResult(context.CheckCount < 5 ? LocalTransactionState.Unknown : LocalTransactionState.Commit);
        var half = await PrepareAsync(host, 6);

        host.Time.Advance(PastCheckAfter);
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        for (var check = 2; check <= 6; check++)
        {
            host.Time.Advance(CheckInterval - TimeSpan.FromSeconds(1));
            await host.Maintenance.RecoverAsync(CancellationToken.None);
            Assert.Equal(check - 1, Script.CallsFor(half.MessageId));

            host.Time.Advance(TimeSpan.FromSeconds(1));
            await host.Maintenance.RecoverAsync(CancellationToken.None);
            Assert.Equal(check, Script.CallsFor(half.MessageId));
        }

        await host.PollUntilIdleAsync();
        Assert.Single(host.Memory.Sent);
        var row = Assert.Single(await host.RowsAsync());
        Assert.Equal((MessageStatus.Dispatched, 6), (row.Status, row.CheckCount));
        Assert.Equal([0, 1, 2, 3, 4, 5], Script.Contexts.Select(c => c.CheckCount));
    }

    [Fact]
    public async Task CheckLimitReached_GoesToTheDeadLetterTable_AndRequeueChecksItAgain()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Transactions:MaxChecks"] = "3" });
        var half = await PrepareAsync(host, 7);
        host.Time.Advance(PastCheckAfter);
        for (var i = 0; i < 5; i++)
        {
            await host.Maintenance.RecoverAsync(CancellationToken.None);
            host.Time.Advance(CheckInterval);
        }

        Assert.Equal(3, Script.CallsFor(half.MessageId));
        Assert.Empty(await host.RowsAsync());
        var dead = Assert.Single(await host.DeadLetters.ListAsync());
        Assert.Equal((half.MessageId, "check-limit-reached", 3), (dead.MessageId, dead.Reason, dead.Attempts));
        await Assert.ThrowsAsync<OutboxException>(() => Outbox(host, o => o.CommitAsync(half.MessageId)));

        Script.Answer = (_, _) => ValueTask.FromResult(LocalTransactionState.Commit);
        Assert.True(await host.DeadLetters.RequeueAsync(half.MessageId));
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        await host.PollUntilIdleAsync();

        Assert.Equal(4, Script.CallsFor(half.MessageId));
        Assert.Equal(0, Script.Contexts.Last().CheckCount);
        Assert.Equal(half.MessageId, Assert.Single(host.Memory.Sent).MessageId);
    }

    [Theory]
    [InlineData("Rollback", MessageStatus.RolledBack, 0)]
    [InlineData("Commit", MessageStatus.Dispatched, 1)]
    public async Task CheckLimitReached_WithAnotherAction_DecidesTheMessage(string action, MessageStatus expected, int sent)
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Transactions:MaxChecks"] = "1", ["Outbox:Transactions:OnCheckLimit"] = action });
        await PrepareAsync(host, 8);
        host.Time.Advance(PastCheckAfter);
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        await host.PollUntilIdleAsync();

        Assert.Equal(expected, Assert.Single(await host.RowsAsync()).Status);
        Assert.Equal(sent, host.Memory.Sent.Count);
        Assert.Empty(await host.DeadLetters.ListAsync());
    }

    [Fact]
    public async Task ProcessDiesBetweenPrepareAndCommit_TheCheckResolvesIt()
    {
        var time = new FakeTimeProvider();
        var crashed = Host(time: time);
        var half = await PrepareAsync(crashed, 9);

        var restarted = Host(time: time);
        Script.Answer = (_, _) => ValueTask.FromResult(LocalTransactionState.Commit);
        time.Advance(PastCheckAfter);
        await restarted.Maintenance.RecoverAsync(CancellationToken.None);
        await restarted.PollUntilIdleAsync();

        Assert.Equal(half.MessageId, Assert.Single(restarted.Memory.Sent).MessageId);
    }

    [Fact]
    public async Task TwoInstancesRunningTheCheckJob_CallTheCallbackOncePerDueRow()
    {
        var time = new FakeTimeProvider();
        var settings = new Dictionary<string, string?> { ["Outbox:Transactions:CheckBatchSize"] = "50" };
        var a = Host(settings, time);
        var b = Host(settings, time);
        Script.Answer = (_, _) => ValueTask.FromResult(LocalTransactionState.Rollback);
        for (var i = 0; i < 300; i++)
        {
            await PrepareAsync(i % 2 == 0 ? a : b, i);
        }

        time.Advance(PastCheckAfter);
        var checkedRows = await Task.WhenAll(
            Task.Run(() => a.Maintenance.RecoverAsync(CancellationToken.None)),
            Task.Run(() => b.Maintenance.RecoverAsync(CancellationToken.None)));

        Assert.Equal(300, Script.Calls.Count);
        Assert.All(Script.Calls.Values, calls => Assert.Equal(1, calls));
        Assert.Equal(300, checkedRows.Sum());
        Assert.All(await a.RowsAsync(), r => Assert.Equal((MessageStatus.RolledBack, 1), (r.Status, r.CheckCount)));
    }

    [Fact]
    public async Task CommitArrivingWhileACheckRuns_Wins_AndTheCheckAnswerIsNotApplied()
    {
        var host = Host();
        var half = await PrepareAsync(host, 10);
        var checkStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<LocalTransactionState>(TaskCreationOptions.RunContinuationsAsynchronously);
        Script.Answer = (_, _) =>
        {
            checkStarted.SetResult();
            return new ValueTask<LocalTransactionState>(release.Task);
        };

        host.Time.Advance(PastCheckAfter);
        var checking = host.Maintenance.RecoverAsync(CancellationToken.None);
        await checkStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Outbox(host, o => o.CommitAsync(half.MessageId));
        release.SetResult(LocalTransactionState.Rollback);
        await checking;
        await host.PollUntilIdleAsync();

        var row = Assert.Single(await host.RowsAsync());
        Assert.Equal((MessageStatus.Dispatched, 0), (row.Status, row.CheckCount));
        Assert.Single(host.Memory.Sent);
    }

    [Fact]
    public async Task FailingCheck_CountsAsUnknown_AndIsCheckedAgainLater()
    {
        var host = Host();
        Script.Answer = (_, context) => context.CheckCount == 0
            ? throw new InvalidOperationException("payments database unreachable")
            : ValueTask.FromResult(LocalTransactionState.Commit);
        var half = await PrepareAsync(host, 11);

        host.Time.Advance(PastCheckAfter);
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        var row = Assert.Single(await host.RowsAsync());
        Assert.Equal((MessageStatus.Prepared, 1), (row.Status, row.CheckCount));
        Assert.Contains("payments database unreachable", row.LastError);

        host.Time.Advance(CheckInterval);
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        await host.PollUntilIdleAsync();
        Assert.Equal(half.MessageId, Assert.Single(host.Memory.Sent).MessageId);
    }

    [Fact]
    public async Task InstanceDyingDuringACheck_BurnsNoCheck_AndTheRowIsCheckedAgainAfterTheLease()
    {
        var time = new FakeTimeProvider();
        var dying = Host(time: time);
        var half = await PrepareAsync(dying, 14);
        time.Advance(PastCheckAfter);

        // The first instance leases the row for its check and dies before any callback answers.
        var now = time.GetUtcNow();
        var leased = await dying.TransactionalStore.ClaimChecksAsync("dead-instance", now, now.AddSeconds(30), now.AddSeconds(-6), [], 10, CancellationToken.None);
        Assert.Single(leased);

        var survivor = Host(time: time);
        await survivor.Maintenance.RecoverAsync(CancellationToken.None);
        Assert.Equal(0, Script.CallsFor(half.MessageId));

        time.Advance(TimeSpan.FromSeconds(31));
        await survivor.Maintenance.RecoverAsync(CancellationToken.None);

        Assert.Equal(1, Script.CallsFor(half.MessageId));
        Assert.Equal(0, Script.Contexts.Single().CheckCount);
        Assert.Equal(1, Assert.Single(await survivor.RowsAsync()).CheckCount);
    }

    [Fact]
    public async Task CheckImmunity_DelaysTheFirstCheck()
    {
        var host = Host();
        var half = await PrepareAsync(host, 12, new PublishOptions { CheckImmunity = TimeSpan.FromMinutes(2) });

        host.Time.Advance(TimeSpan.FromSeconds(119));
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        Assert.Equal(0, Script.CallsFor(half.MessageId));

        host.Time.Advance(TimeSpan.FromSeconds(1));
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        Assert.Equal(1, Script.CallsFor(half.MessageId));
    }

    [Fact]
    public async Task InterceptorRowsOfACheckedType_AreDecidedByTheCheck_NotTakenAsCommitted()
    {
        var time = new FakeTimeProvider();
        var crashed = Host(time: time);
        await crashed.PlaceOrderAsync(new PaymentRequested(13, 2m));
        await crashed.PlaceOrderAsync(new OrderPlaced(13, "unchecked type"));

        var restarted = Host(time: time);
        Script.Answer = (_, _) => ValueTask.FromResult(LocalTransactionState.Rollback);
        time.Advance(TimeSpan.FromMinutes(1));
        await restarted.Maintenance.RecoverAsync(CancellationToken.None);
        await restarted.PollUntilIdleAsync();

        Assert.Equal(["OrderPlaced"], restarted.Memory.Sent.Select(m => m.MessageType));
        Assert.Equal(1, Script.TotalCalls);
    }

    [Fact]
    public async Task PrepareWithoutACheckForTheType_IsAConfigurationError()
    {
        var host = Host();

        var error = await Assert.ThrowsAsync<OutboxException>(() => Outbox(host, o => o.PrepareAsync(new OrderPlaced(1, "x")).AsTask()));

        Assert.Contains("AddTransactionCheck<OrderPlaced, TCheck>()", error.Message, StringComparison.Ordinal);
        Assert.Empty(await host.RowsAsync());
    }

    protected OutboxTestHost Host(IDictionary<string, string?>? settings = null, FakeTimeProvider? time = null)
    {
        var host = OutboxTestHost.Create(
            Database,
            time,
            settings: settings,
            services: s => s.AddSingleton(Script),
            outbox: o => o.AddTransactionCheck<PaymentRequested, ScriptedPaymentCheck>());
        return Track(host);
    }

    private static Task<PreparedMessage> PrepareAsync(OutboxTestHost host, long orderId, PublishOptions? options = null) =>
        OutboxResult(host, o => o.PrepareAsync(new PaymentRequested(orderId, 10m), options).AsTask());

    private static Task Outbox(OutboxTestHost host, Func<IOutbox, Task> action) => host.InScopeAsync((_, outbox) => action(outbox));

    private static Task<T> OutboxResult<T>(OutboxTestHost host, Func<IOutbox, Task<T>> action) => host.InScopeAsync((_, outbox) => action(outbox));
}
