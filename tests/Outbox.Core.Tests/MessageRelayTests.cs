using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outbox.Dispatching;
using Outbox.Serialization;
using Outbox.Storage;
using Outbox.Testing;
using Outbox.Transport;

namespace Outbox.Tests;

public sealed class MessageRelayTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingStore _store = new();
    private readonly ScriptedTransport _transport = new();
    private readonly OutboxOptions _options = new();

    public MessageRelayTests()
    {
        // In-process retries wait on the clock; only the test about them turns them on and moves it.
        _options.Dispatch.Retry.MaxRetryAttempts = 0;
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public async Task SentRows_AreMarkedDispatched()
    {
        await Relay().RelayAsync([Row(1), Row(2)], CancellationToken.None);

        Assert.Equal([1, 2], _store.Dispatched.Order());
        Assert.Empty(_store.Failed);
    }

    [Fact]
    public async Task FailedRow_CountsAnAttempt_AndWaitsItsBackoff()
    {
        _transport.Answer = (_, _) => SendResult.Failed("nope");

        await Relay().RelayAsync([Row(1, attempts: 2)], CancellationToken.None);

        var failure = Assert.Single(_store.Failed);
        Assert.Equal((1L, 3, "nope"), (failure.Id, failure.Attempts, failure.Error));
        Assert.InRange(failure.NextAttemptAt, Now.AddSeconds(16), Now.AddSeconds(24));
    }

    [Fact]
    public async Task RowReachingMaxAttempts_IsDeadLettered_WithTheLastError()
    {
        _options.Dispatch.MaxAttempts = 3;
        _transport.Answer = (_, _) => SendResult.Unroutable("no queue bound");

        await Relay().RelayAsync([Row(1, attempts: 2)], CancellationToken.None);

        var dead = Assert.Single(_store.DeadLettered);
        Assert.Equal(("max-attempts", 3, "unroutable: no queue bound"), (dead.Reason, dead.Attempts, dead.LastError));
        Assert.Empty(_store.Failed);
    }

    [Fact]
    public async Task FailureOfAKey_HoldsBackTheRestOfThatKeyOnly()
    {
        _transport.Answer = (m, _) => m.MessageId == Id(1) ? SendResult.Failed("x") : SendResult.Sent;

        await Relay().RelayAsync([Row(1, "a"), Row(2, "b"), Row(3, "a"), Row(4, "b"), Row(5, "a")], CancellationToken.None);

        Assert.Equal([2, 4], _store.Dispatched.Order());
        Assert.Equal(1, Assert.Single(_store.Failed).Id);
        Assert.Equal([(3L, Now), (5L, Now)], _store.Released.OrderBy(r => r.Id));
        Assert.Equal((0, 0), (_transport.AttemptsOf(Id(3)), _transport.AttemptsOf(Id(5))));
    }

    [Fact]
    public async Task TransportKeepingKeyOrderInABatch_GetsAKeysWholeRunInOneCall()
    {
        _transport.KeepsKeyOrderInBatch = true;

        await Relay().RelayAsync([Row(3, "a"), Row(1, "a"), Row(2, "b"), Row(4, "a")], CancellationToken.None);

        Assert.Equal([4], _transport.BatchSizes);
        Assert.Equal([Id(1), Id(2), Id(3), Id(4)], _transport.Sent.Select(m => m.MessageId));
        Assert.Equal([1, 2, 3, 4], _store.Dispatched.Order());
    }

    [Fact]
    public async Task TransportWithoutKeyOrderInABatch_GetsOneRowPerKeyPerCall()
    {
        await Relay().RelayAsync([Row(1, "a"), Row(2, "b"), Row(3, "a"), Row(4, "a")], CancellationToken.None);

        Assert.Equal([2, 1, 1], _transport.BatchSizes);
    }

    [Fact]
    public async Task InAnOrderedBatch_RowsBehindAFailedRowOfTheirKey_AreReleasedWithoutAnAttempt()
    {
        _transport.KeepsKeyOrderInBatch = true;
        _transport.Answer = (m, _) => m.MessageId == Id(1) ? SendResult.Failed("x") : SendResult.Sent;

        await Relay().RelayAsync([Row(1, "a"), Row(2, "b"), Row(3, "a"), Row(4, "a", attempts: 2)], CancellationToken.None);

        Assert.Equal([2], _store.Dispatched);
        var failure = Assert.Single(_store.Failed);
        Assert.Equal((1L, 1), (failure.Id, failure.Attempts));
        Assert.Equal([(3L, Now), (4L, Now)], _store.Released.OrderBy(r => r.Id));
        Assert.Equal([4], _transport.BatchSizes);
    }

    [Fact]
    public async Task TransportException_GivesTheWholeBatchBack_DueAtOnce_WithoutCountingAnAttempt()
    {
        _transport.Throw = new IOException("connection reset");

        await Relay().RelayAsync([Row(1, attempts: 9), Row(2)], CancellationToken.None);

        Assert.Empty(_store.Failed);
        Assert.Empty(_store.DeadLettered);
        Assert.Equal([(1L, Now), (2L, Now)], _store.Released.OrderBy(r => r.Id));
    }

    [Fact]
    public async Task OpenCircuit_SendsNothing_UntilTheBreakEnds_ThenOneSendTriesTheBroker_AndClosesIt()
    {
        _options.Dispatch.CircuitBreaker.MinimumThroughput = 2;
        _transport.Throw = new IOException("broker down");
        var relay = Relay();

        await relay.RelayAsync([Row(1)], CancellationToken.None);
        await relay.RelayAsync([Row(2)], CancellationToken.None);
        var callsBefore = _transport.Calls;
        await relay.RelayAsync([Row(3)], CancellationToken.None);

        Assert.True(relay.IsCircuitOpen);
        Assert.Equal(callsBefore, _transport.Calls);
        Assert.Empty(_store.Failed);
        Assert.Equal([(1L, Now), (2L, Now), (3L, Now)], _store.Released);
        Assert.Equal(TimeSpan.FromSeconds(1), relay.RefusedFor(_time.GetUtcNow()));

        _time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(TimeSpan.FromMilliseconds(400), relay.RefusedFor(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Null(relay.RefusedFor(_time.GetUtcNow()));

        _transport.Throw = null;
        await relay.RelayAsync([Row(4)], CancellationToken.None);

        Assert.Equal([4], _store.Dispatched);
        Assert.False(relay.IsCircuitOpen);
    }

    [Fact]
    public async Task FailedTrialAfterTheBreak_OpensTheCircuitForAnotherBreak()
    {
        _options.Dispatch.CircuitBreaker.MinimumThroughput = 2;
        _transport.Throw = new IOException("broker down");
        var relay = Relay();
        await relay.RelayAsync([Row(1)], CancellationToken.None);
        await relay.RelayAsync([Row(2)], CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(1));
        var callsBefore = _transport.Calls;
        await relay.RelayAsync([Row(3)], CancellationToken.None);

        Assert.Equal(callsBefore + 1, _transport.Calls);
        Assert.Equal(TimeSpan.FromSeconds(1), relay.RefusedFor(_time.GetUtcNow()));
        Assert.Empty(_store.Failed);
    }

    [Fact]
    public async Task AnOutage_IsLoggedOnceWhenItStarts_AndOnceWhenTheCircuitCloses_NotPerTrial()
    {
        _options.Dispatch.CircuitBreaker.MinimumThroughput = 2;
        _transport.Throw = new IOException("broker down");
        var logs = new LogCapture();
        using var loggers = new LoggerFactory([logs]);
        var options = Options.Create(_options);
        var signal = new DispatchSignal();
        var pipeline = new SendPipeline(_transport, new SystemTextJsonMessageSerializer(Options.Create(new OutboxOptions())), options, _time, signal, loggers.CreateLogger<SendPipeline>());
        var relay = new MessageRelay(_store, new SendPipelines(pipeline), options, _time, loggers.CreateLogger<MessageRelay>());

        for (var i = 1; i <= 2; i++)
        {
            await relay.RelayAsync([Row(i)], CancellationToken.None);
        }

        for (var trial = 0; trial < 5; trial++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await relay.RelayAsync([Row(10 + trial)], CancellationToken.None);
        }

        var woken = signal.Arm();
        _transport.Throw = null;
        _time.Advance(TimeSpan.FromSeconds(1));
        await relay.RelayAsync([Row(20)], CancellationToken.None);

        // The first send's failure is the outage's one warning; the circuit opening on the second says nothing more.
        var started = Assert.Single(logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal((2, "broker down"), (started.EventId.Id, started.Exception?.Message));
        Assert.Equal(LogLevel.Information, Assert.Single(logs.Entries, e => e.EventId.Id == 23).Level);
        Assert.True(woken.IsCompleted, "closing the circuit must wake the poller");
    }

    [Fact]
    public async Task RejectedMessages_DoNotOpenTheCircuit_AGoodMessageOnAnotherKeyGoesOutAtOnce()
    {
        _options.Dispatch.CircuitBreaker.MinimumThroughput = 2;
        _transport.Answer = (m, _) => m.Key == "good" ? SendResult.Sent
            : m.Key == "nacked" ? SendResult.Failed("the broker did not accept the message (basic.nack)")
            : SendResult.Unroutable("no queue bound");
        var relay = Relay();

        for (var i = 1; i <= 10; i++)
        {
            await relay.RelayAsync([Row(i, i == 5 ? "nacked" : $"rejected-{i}")], CancellationToken.None);
        }

        await relay.RelayAsync([Row(11, "good")], CancellationToken.None);

        Assert.False(relay.IsCircuitOpen);
        Assert.Equal(10, _store.Failed.Count);
        Assert.Equal([11], _store.Dispatched);
        Assert.Empty(_store.Released);
    }

    [Fact]
    public async Task UnavailableAnswers_CountTowardTheCircuit_AsABrokerThatIsDown_AndCountNoAttempt()
    {
        _options.Dispatch.CircuitBreaker.MinimumThroughput = 2;
        _transport.Answer = (_, _) => SendResult.Unavailable("the connection was lost");
        var relay = Relay();

        await relay.RelayAsync([Row(1, "a")], CancellationToken.None);
        await relay.RelayAsync([Row(2, "b")], CancellationToken.None);
        await relay.RelayAsync([Row(3, "c")], CancellationToken.None);

        Assert.True(relay.IsCircuitOpen);
        Assert.Empty(_store.Failed);
        Assert.Equal([1, 2, 3], _store.Released.Select(r => r.Id));
        Assert.Equal(2, _transport.Calls);
    }

    [Fact]
    public async Task SendFailure_IsLoggedOnce_WithItsException()
    {
        var error = new IOException("connection reset");
        _transport.Throw = error;
        var logs = new LogCapture();
        using var loggers = new LoggerFactory([logs]);
        var options = Options.Create(_options);
        var relay = new MessageRelay(_store, new SendPipelines(new SendPipeline(_transport, new SystemTextJsonMessageSerializer(Options.Create(new OutboxOptions())), options, _time)), options, _time, loggers.CreateLogger<MessageRelay>());

        await relay.RelayAsync([Row(1), Row(2)], CancellationToken.None);

        Assert.Same(error, Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning).Exception);
    }

    [Fact]
    public async Task BrokerUnreachable_IsLoggedOncePerOutage_WhenTheCircuitStaysClosed()
    {
        // Steady traffic before the outage keeps the failure ratio under the breaker's threshold.
        _options.Dispatch.CircuitBreaker.MinimumThroughput = 1_000;
        var logs = new LogCapture();
        using var loggers = new LoggerFactory([logs]);
        var options = Options.Create(_options);
        var relay = new MessageRelay(_store, new SendPipelines(new SendPipeline(_transport, new SystemTextJsonMessageSerializer(Options.Create(new OutboxOptions())), options, _time)), options, _time, loggers.CreateLogger<MessageRelay>());

        var outage = new IOException("connection refused");
        _transport.Throw = outage;
        for (var i = 1; i <= 5; i++)
        {
            await relay.RelayAsync([Row(i)], CancellationToken.None);
        }

        _transport.Throw = null;
        await relay.RelayAsync([Row(6)], CancellationToken.None);
        _transport.Throw = new IOException("connection reset");
        await relay.RelayAsync([Row(7)], CancellationToken.None);
        await relay.RelayAsync([Row(8)], CancellationToken.None);

        Assert.False(relay.IsCircuitOpen);
        var warnings = logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        Assert.Equal(["connection refused", "connection reset"], warnings.Select(e => e.Exception?.Message));
        Assert.All(warnings, e => Assert.Equal(2, e.EventId.Id));
        Assert.Equal(5, logs.Entries.Count(e => e.EventId.Id == 24 && e.Level == LogLevel.Debug));
        Assert.Equal([6], _store.Dispatched);
    }

    [Fact]
    public async Task InProcessRetry_WaitsWithBackoff_ThenSucceeds()
    {
        _options.Dispatch.Retry.MaxRetryAttempts = 3;
        _transport.Answer = (_, attempt) => attempt <= 2 ? SendResult.Failed("busy") : SendResult.Sent;

        var relaying = Relay().RelayAsync([Row(1)], CancellationToken.None);
        for (var i = 0; i < 100 && !relaying.IsCompleted; i++)
        {
            await Task.Yield();
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await relaying;
        Assert.Equal([1], _store.Dispatched);
        Assert.Equal(3, _transport.AttemptsOf(Id(1)));
        Assert.Empty(_store.Failed);
    }

    [Fact]
    public async Task TransportReturningTooFewResults_FailsTheBatch()
    {
        var relay = new MessageRelay(_store, new SendPipelines(new SendPipeline(new ShortTransport(), new SystemTextJsonMessageSerializer(Options.Create(new OutboxOptions())), Options.Create(_options), _time)), Options.Create(_options), _time, NullLogger<MessageRelay>.Instance);

        await relay.RelayAsync([Row(1), Row(2)], CancellationToken.None);

        Assert.All(_store.Failed, f => Assert.Contains("returned 1 results for 2 messages", f.Error, StringComparison.Ordinal));
    }

    private MessageRelay Relay()
    {
        var options = Options.Create(_options);
        var pipeline = new SendPipeline(_transport, new SystemTextJsonMessageSerializer(Options.Create(new OutboxOptions())), options, _time);
        return new MessageRelay(_store, new SendPipelines(pipeline), options, _time, NullLogger<MessageRelay>.Instance);
    }

    private static Guid Id(long id) => new(id.ToString("D32", System.Globalization.CultureInfo.InvariantCulture));

    private StoredMessage Row(long id, string? key = null, int attempts = 0) => new()
    {
        Id = id,
        MessageId = Id(id),
        Destination = "d",
        MessageType = "t",
        Key = key,
        Attempts = attempts,
        CreatedAt = Now,
        DueAt = Now,
        Status = MessageStatus.Pending,
    };

    private sealed class ShortTransport : ITransport
    {
        public ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<SendResult>>([SendResult.Sent]);
    }
}
