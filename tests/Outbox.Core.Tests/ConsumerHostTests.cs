using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Outbox.Consumers;
using Outbox.Storage;
using Outbox.Testing;
using Outbox.Transport;

namespace Outbox.Tests;

/// <summary>
/// The consumer host's loop against faults of the transport and the database: whatever a settle, a
/// dead-letter write or a read throws, the consumer goes on with the next deliveries.
/// </summary>
public sealed partial class ConsumerHostTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly LogCapture _logs = new();
    private readonly RecordingStore _store = new();
    private readonly FakePipeline _pipeline = new();
    private readonly ScriptedReceiver _receiver = new();
    private ServiceProvider _services = null!;
    private ConsumerHost _host = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }

    public static TheoryData<Exception> SettleErrors() => new()
    {
        new ObjectDisposedException("channel"),
        new InvalidOperationException("the channel is closed"),
        new IOException("connection reset"),
        new OperationCanceledException("the broker went away"),
    };

    [Theory]
    [MemberData(nameof(SettleErrors))]
    public async Task AcknowledgeThrows_IsLoggedOnceWithTheException_AndTheNextDeliveriesAreHandled(Exception error)
    {
        await StartAsync();
        var broken = new ScriptedDelivery(Message(), settleError: error);
        var next = new[] { new ScriptedDelivery(Message()), new ScriptedDelivery(Message()) };

        await _receiver.SendAsync(broken, next[0], next[1]);

        // Handled at the same time (up to 8 at once), the next ones may be acknowledged before the broken one's acknowledgement fails.
        await WaitAsync(() => next.All(d => d.Acknowledged) && _logs.Entries.Any(e => e.EventId.Id == 21), "the deliveries after the broken one to be acknowledged and its failure logged");
        var logged = Assert.Single(_logs.Entries, e => e.EventId.Id == 21);
        Assert.Same(error, logged.Exception);
        Assert.Equal(3, _pipeline.Handled.Count);
    }

    [Theory]
    [MemberData(nameof(SettleErrors))]
    public async Task RedeliverThrows_IsLoggedOnceWithTheException_AndTheNextDeliveriesAreHandled(Exception error)
    {
        await StartAsync(("Outbox:Consumers:Ordering", "None"));
        var failing = Message();
        _pipeline.FailOnce.Add(failing.MessageId);
        var broken = new ScriptedDelivery(failing, settleError: error);
        var next = new ScriptedDelivery(Message());

        await _receiver.SendAsync(broken, next);

        // Handled at the same time (no ordering), the next one may be acknowledged before the broken one's redelivery fails.
        await WaitAsync(() => next.Acknowledged && _logs.Entries.Any(e => e.EventId.Id == 21), "the next delivery to be acknowledged and the failed redelivery logged");
        Assert.Same(error, Assert.Single(_logs.Entries, e => e.EventId.Id == 21).Exception);
    }

    [Fact]
    public async Task DeadLetterWriteFails_TheDeliveryWaitsInPlace_AndIsSetAsideOnceTheDatabaseAnswers_WithOneWarningAndOneLine()
    {
        await StartAsync(("Outbox:Consumers:RedeliveryDelay", "00:00:07"));
        _store.FailDeadLetterDeliveries = 1;
        var poison = Message();
        _pipeline.Reject.Add(poison.MessageId);
        var broken = new ScriptedDelivery(poison);

        await _receiver.SendAsync(broken);
        await WaitAsync(() => _time.TimerCount == 1 && _logs.Entries.Any(e => e.EventId.Id == 34), "the delivery to wait at the gate");
        Assert.False(broken.Acknowledged);
        _time.Advance(TimeSpan.FromSeconds(7));
        await WaitAsync(() => broken.Acknowledged, "the delivery to be set aside once the database answers");

        Assert.Null(broken.RedeliveredAfter);
        Assert.Equal(1, Assert.Single(_store.DeadLetteredMessages).Attempts);
        var warning = Assert.Single(_logs.Entries, e => e.Level >= LogLevel.Warning && e.EventId.Id != 16);
        Assert.Equal((34, "Consumer pings cannot reach the database; it pauses, and tries again at least every 00:00:07."), (warning.EventId.Id, warning.Message));
        Assert.IsType<TimeoutException>(warning.Exception);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 36 && e.Level == LogLevel.Information);
    }

    [Fact]
    public async Task DatabaseDown_DeliveriesWaitAtTheGate_OneTriesPerRedeliveryDelay_InTurn_AndAllGoOnWhenItAnswers()
    {
        await StartAsync(("Outbox:Consumers:RedeliveryDelay", "00:00:05"), ("Outbox:Consumers:Ordering", "None"));
        var deliveries = Enumerable.Range(0, 5).Select(_ => new ScriptedDelivery(Message())).ToList();
        foreach (var delivery in deliveries)
        {
            _pipeline.ThrowFor[delivery.Message.MessageId] = 100;
        }

        await _receiver.SendAsync(deliveries[0]);
        await WaitAsync(() => _pipeline.Calls(deliveries[0].Message.MessageId) == 1 && _time.TimerCount == 1, "the first delivery to fail and close the gate");
        await _receiver.SendAsync([.. deliveries.Skip(1)]);
        for (var turn = 1; turn <= 7; turn++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await WaitAsync(() => deliveries.Sum(d => _pipeline.Calls(d.Message.MessageId)) == 1 + turn, $"turn {turn}'s one attempt");
        }

        // In turn: the first, then each of the others once, then the first and the second again.
        Assert.Equal(3, _pipeline.Calls(deliveries[0].Message.MessageId));
        Assert.Equal([2, 1, 1, 1], deliveries.Skip(1).Select(d => _pipeline.Calls(d.Message.MessageId)).OrderDescending());
        foreach (var delivery in deliveries)
        {
            _pipeline.ThrowFor[delivery.Message.MessageId] = 0;
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        await WaitAsync(() => deliveries.All(d => d.Acknowledged), "every delivery once the database answers");

        Assert.All(deliveries, d => Assert.Null(d.RedeliveredAfter));
        Assert.All(deliveries, d => Assert.All(_pipeline.Attempts(d.Message.MessageId), a => Assert.Equal(1, a)));
        Assert.Equal([34], _logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.EventId.Id));
        Assert.Single(_logs.Entries, e => e.EventId.Id == 36);
        Assert.Equal(7, _logs.Entries.Count(e => e.EventId.Id == 35)); // the other failures, at debug
    }

    [Fact]
    public async Task DatabaseDownForAnOrderedKey_ItsDeliveryIsTriedAgainInPlace_WithoutCountingAnAttempt_AndTheKeyWaits()
    {
        await StartAsync(("Outbox:Consumers:RedeliveryDelay", "00:00:05"));
        var head = new ScriptedDelivery(Message("k"));
        var behind = new ScriptedDelivery(Message("k"));
        var other = new ScriptedDelivery(Message("other"));
        _pipeline.ThrowFor[head.Message.MessageId] = 2;

        await _receiver.SendAsync(head, behind, other);

        await WaitAsync(() => other.Acknowledged && _time.TimerCount == 1, "the other key to be handled while k's head waits");
        Assert.False(behind.Acknowledged);
        await AdvanceUntilAsync(TimeSpan.FromSeconds(5), () => _pipeline.Calls(head.Message.MessageId) == 2, "k's head to be tried again");
        Assert.False(behind.Acknowledged);
        await AdvanceUntilAsync(TimeSpan.FromSeconds(5), () => behind.Acknowledged, "k's next delivery to be handled after its head");

        Assert.True(head.Acknowledged);
        Assert.Equal([1, 1, 1], _pipeline.Attempts(head.Message.MessageId));
        Assert.Equal([head.Message.MessageId, behind.Message.MessageId], _pipeline.Handled.Where(id => id != other.Message.MessageId));
        Assert.Null(head.RedeliveredAfter);
    }

    [Fact]
    public async Task ReadsFailRepeatedly_OneWarningWithTheException_ThenOneLineWhenDeliveriesFlowAgain()
    {
        _receiver.FailReads = 3;
        await StartAsync(("Outbox:Consumers:RedeliveryDelay", "00:00:02"));

        for (var read = 1; read <= 3; read++)
        {
            await WaitAsync(() => _receiver.Reads == read && _time.TimerCount == 1, $"read {read} to fail and wait");
            _time.Advance(TimeSpan.FromSeconds(2));
        }

        var delivery = new ScriptedDelivery(Message());
        await _receiver.SendAsync(delivery);
        await WaitAsync(() => delivery.Acknowledged, "the delivery after the outage to be handled");

        var warnings = _logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        Assert.Equal(18, Assert.Single(warnings).EventId.Id);
        Assert.IsType<IOException>(warnings[0].Exception);
        Assert.Equal(2, _logs.Entries.Count(e => e.EventId.Id == 19));
        Assert.Single(_logs.Entries, e => e.EventId.Id == 20);
    }

    private Task StartAsync(params (string Key, string Value)[] settings) => StartAsync(null, settings);

    private async Task StartAsync(Action<IOutboxBuilder>? outbox, params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["Outbox:Consumers:Retry:MaxRetryAttempts"] = "0" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<ILoggerProvider>(_logs);
        services.AddSingleton<TimeProvider>(_time);
        var builder = services.AddOutbox(configuration.GetSection("Outbox"), o => o.AddMessageType<Ping>("Ping"))
            .UseInMemoryTransport()
            .AddConsumer<PingHandler>(c =>
            {
                c.Source = "pings";
                c.Name = "pings";
            })
            .UseStore(_ => _store);
        outbox?.Invoke(builder);
        services.AddSingleton<IInboxPipeline>(_pipeline);
        services.Replace(ServiceDescriptor.Singleton<IMessageReceiver>(_receiver));
        _services = services.BuildServiceProvider();
        _host = _services.GetRequiredService<ConsumerHost>();
        await _host.StartAsync(CancellationToken.None);
    }

    private static TransportMessage Message(string? key = null) =>
        new(Guid.CreateVersion7(), "pings", "Ping", key, "{}"u8.ToArray(), "application/json", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);

    // Moves the clock a step at a time until the condition holds. A delivery whose call failed waits for the
    // database's next turn only once that call has returned: a turn given before it is back is not its turn.
    private async Task AdvanceUntilAsync(TimeSpan step, Func<bool> condition, string what)
    {
        for (var turns = 0; turns < 20 && !condition(); turns++)
        {
            _time.Advance(step);
            for (var looks = 0; looks < 40 && !condition(); looks++)
            {
                await Task.Delay(5);
            }
        }

        Assert.True(condition(), $"Gave up waiting for {what}.");
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Gave up waiting for {what}.");
            await Task.Delay(5);
        }
    }

    public sealed record Ping;

    public sealed class PingHandler : IMessageHandler<Ping>
    {
        public ValueTask HandleAsync(Ping message, MessageContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>The inbox pipeline, scripted: handled, failed once, rejected, or throwing as a database that is down.</summary>
    private sealed class FakePipeline : IInboxPipeline
    {
        private readonly Lock _gate = new();
        private readonly List<(Guid Id, int Attempt)> _calls = [];

        public HashSet<Guid> FailOnce { get; } = [];

        public HashSet<Guid> Reject { get; } = [];

        public Dictionary<Guid, int> ThrowFor { get; } = [];

        public List<Guid> Handled { get; } = [];

        public int Calls(Guid id) => Attempts(id).Count;

        public List<int> Attempts(Guid id)
        {
            lock (_gate)
            {
                return [.. _calls.Where(c => c.Id == id).Select(c => c.Attempt)];
            }
        }

        public Task<InboxOutcome> HandleAsync(ConsumerRegistration consumer, IDelivery delivery, CancellationToken cancellationToken)
        {
            var id = delivery.Message.MessageId;
            lock (_gate)
            {
                _calls.Add((id, delivery.Attempt));
                if (ThrowFor.TryGetValue(id, out var left) && left > 0)
                {
                    ThrowFor[id] = left - 1;
                    throw new TimeoutException("the database did not answer");
                }

                if (Reject.Contains(id))
                {
                    return Task.FromResult(InboxOutcome.Rejected("malformed-message", "unreadable"));
                }

                if (FailOnce.Remove(id))
                {
                    return Task.FromResult(InboxOutcome.Failed(new InvalidOperationException("handler failed")));
                }

                Handled.Add(id);
                return Task.FromResult(InboxOutcome.Handled);
            }
        }
    }

    /// <summary>A delivery whose settling throws what a broken transport channel throws.</summary>
    private sealed class ScriptedDelivery(TransportMessage message, Exception? settleError = null, int attempt = 1) : IDelivery
    {
        public TransportMessage Message { get; } = message;

        public int Attempt => attempt;

        public bool Acknowledged { get; private set; }

        public TimeSpan? RedeliveredAfter { get; private set; }

        public ValueTask AcknowledgeAsync(CancellationToken cancellationToken)
        {
            ThrowIfBroken();
            Acknowledged = true;
            return ValueTask.CompletedTask;
        }

        public ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            ThrowIfBroken();
            RedeliveredAfter = delay;
            return ValueTask.CompletedTask;
        }

        private void ThrowIfBroken()
        {
            if (settleError is not null)
            {
                throw settleError;
            }
        }
    }

    /// <summary>A receive side fed by the test, whose next reads can be made to fail.</summary>
    private sealed class ScriptedReceiver : IMessageReceiver
    {
        private readonly Channel<IDelivery> _deliveries = Channel.CreateUnbounded<IDelivery>();
        private int _reads;

        public int FailReads { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public async Task SendAsync(params IDelivery[] deliveries)
        {
            foreach (var delivery in deliveries)
            {
                await _deliveries.Writer.WriteAsync(delivery);
            }
        }

        public async IAsyncEnumerable<IDelivery> ReceiveAsync(string source, string consumer, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _reads) <= FailReads)
            {
                throw new IOException("connection refused");
            }

            await foreach (var delivery in _deliveries.Reader.ReadAllAsync(cancellationToken))
            {
                yield return delivery;
            }
        }
    }
}
