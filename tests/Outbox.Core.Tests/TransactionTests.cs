using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outbox.Dispatching;
using Outbox.Publishing;
using Outbox.Serialization;
using Outbox.Storage;
using Outbox.Testing;
using Outbox.Transactions;

namespace Outbox.Tests;

/// <summary>Every transition of a half message, decided by the application or by the check, without a database.</summary>
public sealed class TransactionTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingStore _store = new();
    private readonly OutboxOptions _options = new() { InstanceId = "me" };
    private Func<Charge, TransactionCheckContext, LocalTransactionState> _answer = (_, _) => LocalTransactionState.Unknown;

    public TransactionTests()
    {
        _options.Route<Charge>("charges");
        _options.Transactions.MaxChecks = 3;
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    [Theory]
    [InlineData(LocalTransactionState.Commit, MessageStatus.Pending)]
    [InlineData(LocalTransactionState.Rollback, MessageStatus.RolledBack)]
    public async Task CheckAnswer_DecidesTheRow_AndCountsTheCheck(LocalTransactionState answer, MessageStatus expected)
    {
        _answer = (_, _) => answer;
        _store.DueForCheck.Add(Half(1, checks: 0));

        await Runner().RunAsync(CancellationToken.None);

        var check = Assert.Single(_store.Checks);
        Assert.Equal([1L], check.Ids);
        Assert.Equal(expected, check.Decided);
        Assert.Empty(_store.DeadLettered);
    }

    [Fact]
    public async Task Unknown_BelowTheLimit_IsCheckedAgainAfterCheckInterval()
    {
        _store.DueForCheck.Add(Half(1, checks: 1));

        await Runner().RunAsync(CancellationToken.None);

        var check = Assert.Single(_store.Checks);
        Assert.Equal((null, Now.AddSeconds(30), "the check answered Unknown"), (check.Decided, check.NextCheckAt, check.Error));
    }

    [Fact]
    public async Task FailingCheck_IsUnknown_WithTheErrorRecorded()
    {
        _answer = (_, _) => throw new InvalidOperationException("lookup failed");
        _store.DueForCheck.Add(Half(1, checks: 0));

        await Runner().RunAsync(CancellationToken.None);

        Assert.Equal("the check failed: lookup failed", Assert.Single(_store.Checks).Error);
    }

    [Fact]
    public async Task Unknown_AtTheLimit_IsDeadLettered_WithTheReason()
    {
        _store.DueForCheck.Add(Half(1, checks: 2));

        await Runner().RunAsync(CancellationToken.None);

        var dead = Assert.Single(_store.DeadLettered);
        Assert.Equal(("check-limit-reached", 3, DeadLetterSources.TransactionCheck), (dead.Reason, dead.Attempts, dead.Source));
        Assert.Empty(_store.Checks);
    }

    [Theory]
    [InlineData(CheckLimitAction.Commit, MessageStatus.Pending)]
    [InlineData(CheckLimitAction.Rollback, MessageStatus.RolledBack)]
    public async Task Unknown_AtTheLimit_FollowsOnCheckLimit(CheckLimitAction action, MessageStatus expected)
    {
        _options.Transactions.OnCheckLimit = action;
        _store.DueForCheck.Add(Half(1, checks: 2));

        await Runner().RunAsync(CancellationToken.None);

        Assert.Equal(expected, Assert.Single(_store.Checks).Decided);
        Assert.Empty(_store.DeadLettered);
    }

    [Fact]
    public async Task RowThatCannotBeChecked_IsDeadLettered_WithoutCountingACheck()
    {
        var unreadable = Half(1, checks: 4) with { Body = "not json"u8.ToArray() };
        var unknownType = Half(2, checks: 0) with { MessageType = "Gone" };
        _store.DueForCheck.AddRange([unreadable, unknownType]);
        var calls = 0;
        _answer = (_, _) =>
        {
            calls++;
            return LocalTransactionState.Commit;
        };

        await Runner().RunAsync(CancellationToken.None);

        Assert.Equal(0, calls);
        Assert.Empty(_store.Checks);
        var dead = _store.DeadLettered.OrderBy(d => d.Message.Id).ToList();
        Assert.Equal(["check-failed", "check-failed"], dead.Select(d => d.Reason));
        Assert.Equal([4, 0], dead.Select(d => d.Attempts));
        Assert.Contains("cannot be read as Charge", dead[0].LastError, StringComparison.Ordinal);
        Assert.Contains("no check callback is registered for message type 'Gone'", dead[1].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckContext_CarriesIdHeadersCountAndFirstWrittenTime()
    {
        TransactionCheckContext? seen = null;
        _answer = (_, context) =>
        {
            seen = context;
            return LocalTransactionState.Commit;
        };
        var row = Half(1, checks: 2) with { Headers = new Dictionary<string, string> { ["tenant"] = "t1" } };
        _store.DueForCheck.Add(row);

        await Runner().RunAsync(CancellationToken.None);

        Assert.Equal((row.MessageId, 2, "t1"), (seen!.MessageId, seen.CheckCount, seen.Headers["tenant"]));
        Assert.Equal(row.CreatedAt, seen.FirstWrittenAt);
    }

    [Theory]
    [InlineData(true, MessageStatus.Pending)]
    [InlineData(true, MessageStatus.Dispatched)]
    [InlineData(false, MessageStatus.RolledBack)]
    public async Task RepeatingTheDecisionThatStands_DoesNothingMore(bool commit, MessageStatus current)
    {
        _store.Decision = (false, current);

        await Decide(commit);
    }

    [Theory]
    [InlineData(true, MessageStatus.RolledBack, TransactionOutcome.RolledBack)]
    [InlineData(false, MessageStatus.Pending, TransactionOutcome.Committed)]
    public async Task ContraryDecision_IsAConflict_NamingWhatStands(bool commit, MessageStatus current, TransactionOutcome standing)
    {
        _store.Decision = (false, current);

        var conflict = await Assert.ThrowsAsync<TransactionConflictException>(() => Decide(commit));

        Assert.Equal(standing, conflict.Standing);
    }

    [Fact]
    public async Task DecidingAnUnknownMessage_SaysWhereItMayHaveGone()
    {
        _store.Decision = (false, null);

        var error = await Assert.ThrowsAsync<OutboxException>(() => Decide(commit: true));

        Assert.Contains("dead-letter table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendInTransaction_WhoseDecisionConflicts_ReportsItInTheResult()
    {
        _store.Decision = (false, MessageStatus.RolledBack);

        var result = await Messages().SendInTransactionAsync(new Charge(5), (_, _) => ValueTask.FromResult(LocalTransactionState.Commit), null, CancellationToken.None);

        Assert.Equal((LocalTransactionState.Commit, TransactionOutcome.RolledBack, true), (result.LocalState, result.Outcome, result.Conflict));
    }

    private Task Decide(bool commit) => commit
        ? Messages().CommitAsync(Guid.NewGuid(), CancellationToken.None)
        : Messages().RollbackAsync(Guid.NewGuid(), CancellationToken.None);

    private StoredMessage Half(long id, int checks) => new()
    {
        Id = id,
        MessageId = Guid.CreateVersion7(),
        Destination = "charges",
        MessageType = "Charge",
        Body = JsonSerializer.SerializeToUtf8Bytes(new Charge(id), new JsonSerializerOptions(JsonSerializerDefaults.Web)),
        Status = MessageStatus.Prepared,
        Kind = MessageKind.Transactional,
        CheckCount = checks,
        CreatedAt = Now.AddMinutes(-1),
    };

    private ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ITransactionCheck<Charge>>(new Check(this));
        return services.BuildServiceProvider();
    }

    private TransactionChecks Checks() => new(
        [new TransactionCheckRegistration(typeof(Charge), (sp, m, c, ct) => sp.GetRequiredService<ITransactionCheck<Charge>>().CheckAsync((Charge)m, c, ct))],
        Options.Create(_options));

    private TransactionCheckRunner Runner()
    {
        var options = Options.Create(_options);
        return new TransactionCheckRunner(
            _store, Checks(), new SystemTextJsonMessageSerializer(Options.Create(new OutboxOptions())), Services().GetRequiredService<IServiceScopeFactory>(), new DispatchSignal(),
            new OutboxInstance(options), options, _time, NullLogger<TransactionCheckRunner>.Instance);
    }

    private TransactionalMessages Messages()
    {
        var options = Options.Create(_options);
        var factory = new OutboxMessageFactory(options, new SystemTextJsonMessageSerializer(Options.Create(new OutboxOptions())), _time, new OutboxInstance(options));
        return new TransactionalMessages(_store, factory, Checks(), new DispatchSignal(), _time, NullLogger<TransactionalMessages>.Instance);
    }

    private sealed record Charge(long OrderId);

    private sealed class Check(TransactionTests test) : ITransactionCheck<Charge>
    {
        public ValueTask<LocalTransactionState> CheckAsync(Charge message, TransactionCheckContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(test._answer(message, context));
    }
}
