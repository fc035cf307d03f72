using System.Text;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>
/// What every transport must do, proved against the real thing: a transport's test project derives a class
/// from this one and says how to create the transport. A third-party transport starts from here
/// (docs/extending.md).
/// </summary>
public abstract class TransportConformance : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly List<string> _consumers = [];

    /// <summary>The send side under test.</summary>
    protected ITransport Transport { get; private set; } = null!;

    /// <summary>The receive side under test.</summary>
    protected IMessageReceiver Receiver { get; private set; } = null!;

    /// <summary>The consumers the tests declared, for a broker's clean-up.</summary>
    protected IReadOnlyList<string> DeclaredConsumers => _consumers;

    /// <summary>Creates the transport's send and receive sides, connected to the real broker.</summary>
    protected abstract Task<(ITransport Transport, IMessageReceiver Receiver)> CreateAsync();

    /// <summary>Releases what <see cref="CreateAsync"/> created.</summary>
    protected virtual Task DisposeTransportAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => (Transport, Receiver) = await CreateAsync();

    public Task DisposeAsync() => DisposeTransportAsync();

    [Fact]
    public async Task RoundTrip_KeepsIdTypeKeyBodyContentTypeAndHeaders()
    {
        var (source, consumer) = await DeclareAsync();
        var sent = Message(source, "order-1", "round trip") with
        {
            Headers = new Dictionary<string, string>
            {
                ["tenant"] = "acme",
                ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                [TransportMessage.CorrelationIdHeader] = "correlation-1",
            },
        };
        await using var reading = new Reading(Receiver, source, consumer);

        Assert.Equal([SendStatus.Sent], await SendAsync(sent));
        var delivery = await reading.NextAsync();

        var received = delivery.Message;
        Assert.Equal(
            (sent.MessageId, sent.Destination, sent.MessageType, sent.Key, sent.ContentType, "round trip"),
            (received.MessageId, received.Destination, received.MessageType, received.Key, received.ContentType, Encoding.UTF8.GetString(received.Body.Span)));
        foreach (var (name, value) in sent.Headers)
        {
            Assert.Equal(value, received.Headers.GetValueOrDefault(name));
        }

        Assert.InRange(received.CreatedAt, sent.CreatedAt.AddSeconds(-1), sent.CreatedAt.AddSeconds(1));
        Assert.Equal(1, delivery.Attempt);
        await delivery.AcknowledgeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Batch_ReportsOneResultPerMessage_InItsOrder()
    {
        var (source, _) = await DeclareAsync();

        var results = await SendAsync(Message(source, null, "a"), Message(Unique("nobody-reads"), null, "b"), Message(source, null, "c"));

        Assert.Equal([SendStatus.Sent, SendStatus.Unroutable, SendStatus.Sent], results);
    }

    [Fact]
    public async Task MessagesOfAKey_ArriveInTheOrderTheyWereSent()
    {
        var (source, consumer) = await DeclareAsync();
        var keys = new[] { "a", "b", "c" };
        await using var reading = new Reading(Receiver, source, consumer);

        // As the dispatcher sends: a key's whole run in one batch, or one message per key per batch.
        var messages = Enumerable.Range(0, 20).SelectMany(n => keys.Select(key => Message(source, key, $"{key}{n}"))).ToList();
        var batches = Transport.KeepsKeyOrderInBatch ? [messages] : messages.Chunk(keys.Length).Select(c => c.ToList()).ToList();
        foreach (var batch in batches)
        {
            Assert.All(await SendAsync([.. batch]), status => Assert.Equal(SendStatus.Sent, status));
        }

        var received = new List<string>();
        while (received.Count < messages.Count)
        {
            var delivery = await reading.NextAsync();
            received.Add(Encoding.UTF8.GetString(delivery.Message.Body.Span));
            await delivery.AcknowledgeAsync(CancellationToken.None);
        }

        foreach (var key in keys)
        {
            Assert.Equal(Enumerable.Range(0, 20).Select(n => $"{key}{n}"), received.Where(body => body.StartsWith(key, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Redeliver_DeliversAgainWithTheAttemptCounted_AndAcknowledge_Forgets()
    {
        var (source, consumer) = await DeclareAsync();
        await using var reading = new Reading(Receiver, source, consumer);
        await SendAsync(Message(source, null, "again"));

        var first = await reading.NextAsync();
        await first.RedeliverAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        var second = await reading.NextAsync();
        await second.AcknowledgeAsync(CancellationToken.None);
        await SendAsync(Message(source, null, "after"));
        var third = await reading.NextAsync();

        Assert.Equal((first.Message.MessageId, 1), (second.Message.MessageId, first.Attempt));
        Assert.Equal(2, second.Attempt);
        Assert.Equal("after", Encoding.UTF8.GetString(third.Message.Body.Span)); // the acknowledged one did not come back
    }

    [Fact]
    public async Task DeliveryNotSettledWhenReadingStops_IsDeliveredAgain_AndSettlingItLateDoesNotThrow()
    {
        var (source, consumer) = await DeclareAsync();
        await SendAsync(Message(source, "k", "unsettled"));
        IDelivery abandoned;
        await using (var reading = new Reading(Receiver, source, consumer))
        {
            abandoned = await reading.NextAsync();
        }

        await abandoned.AcknowledgeAsync(CancellationToken.None); // too late: the reading that had it is gone
        await using var again = new Reading(Receiver, source, consumer);
        var redelivered = await again.NextAsync();

        Assert.Equal(abandoned.Message.MessageId, redelivered.Message.MessageId);
        await redelivered.AcknowledgeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task MessagesSentWhileNobodyReads_WaitForTheConsumer()
    {
        var (source, consumer) = await DeclareAsync();

        await SendAsync(Message(source, null, "early"));
        await using var reading = new Reading(Receiver, source, consumer);

        Assert.Equal("early", Encoding.UTF8.GetString((await reading.NextAsync()).Message.Body.Span));
    }

    [Fact]
    public async Task MessageForOneConsumer_ReachesThatConsumerOnly()
    {
        var source = Unique("shared");
        var (mine, other) = (Unique("mine"), Unique("other"));
        await DeclareAsync(source, mine);
        await DeclareAsync(source, other);
        await using var mineReading = new Reading(Receiver, source, mine);
        await using var otherReading = new Reading(Receiver, source, other);

        var targeted = Message(source, null, "only mine") with { Headers = new Dictionary<string, string> { [TransportMessage.ConsumerHeader] = mine } };
        await SendAsync(targeted, Message(source, null, "everyone"));

        // Messages without a key keep no order between them (Kafka spreads them over partitions).
        string[] mineGot = [Encoding.UTF8.GetString((await mineReading.NextAsync()).Message.Body.Span), Encoding.UTF8.GetString((await mineReading.NextAsync()).Message.Body.Span)];
        Assert.Equal(["everyone", "only mine"], mineGot.Order(StringComparer.Ordinal));
        if (RoutesToOneConsumer)
        {
            Assert.Equal("everyone", Encoding.UTF8.GetString((await otherReading.NextAsync()).Message.Body.Span));
        }
        else
        {
            // Handed to every consumer, with its target named: the consumer host skips it for the others.
            var otherGot = new[] { (await otherReading.NextAsync()).Message, (await otherReading.NextAsync()).Message }.OrderBy(m => Encoding.UTF8.GetString(m.Body.Span), StringComparer.Ordinal).ToList();
            Assert.Equal([("everyone", null), ("only mine", mine)], otherGot.Select(m => (Encoding.UTF8.GetString(m.Body.Span), m.TargetConsumer)));
        }
    }

    /// <summary>
    /// Whether the transport delivers a message naming one consumer (<see cref="TransportMessage.ConsumerHeader"/>)
    /// to that consumer only; a transport that cannot (Kafka: every consumer group reads the topic) hands it to
    /// every consumer, and the consumer host skips it for all but the one it names.
    /// </summary>
    protected virtual bool RoutesToOneConsumer => true;

    /// <summary>A name no earlier run used, so that a broker's leftovers cannot interfere.</summary>
    protected static string Unique(string name) => $"conformance.{name}.{Guid.NewGuid():N}";

    protected static TransportMessage Message(string destination, string? key, string body) => new(
        Guid.CreateVersion7(),
        destination,
        "ConformanceMessage",
        key,
        Encoding.UTF8.GetBytes(body),
        "text/plain",
        new Dictionary<string, string>(),
        DateTimeOffset.UtcNow);

    protected async Task<IReadOnlyList<SendStatus>> SendAsync(params TransportMessage[] batch) =>
        [.. (await Transport.SendAsync(batch, CancellationToken.None)).Select(r => r.Status)];

    private async Task<(string Source, string Consumer)> DeclareAsync()
    {
        var (source, consumer) = (Unique("source"), Unique("consumer"));
        await DeclareAsync(source, consumer);
        return (source, consumer);
    }

    protected async Task DeclareAsync(string source, string consumer)
    {
        _consumers.Add(consumer);
        await Receiver.DeclareAsync(source, consumer, CancellationToken.None);
    }

    /// <summary>One read of a consumer's stream, as the consumer host reads it, given up on dispose.</summary>
    protected sealed class Reading(IMessageReceiver receiver, string source, string consumer) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private IAsyncEnumerator<IDelivery>? _deliveries;

        public async Task<IDelivery> NextAsync()
        {
            _deliveries ??= receiver.ReceiveAsync(source, consumer, _stop.Token).GetAsyncEnumerator(_stop.Token);
            var next = _deliveries.MoveNextAsync().AsTask();
            if (await Task.WhenAny(next, Task.Delay(Wait)) != next)
            {
                throw new TimeoutException($"Consumer {consumer} received nothing from {source} in {Wait.TotalSeconds} s.");
            }

            Assert.True(await next, $"The stream of {consumer} ended.");
            return _deliveries.Current;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_deliveries is not null)
            {
                try
                {
                    await _deliveries.DisposeAsync();
                }
                catch (OperationCanceledException)
                {
                }
            }

            _stop.Dispose();
        }
    }
}

/// <summary>
/// The suite for a transport that talks to a broker over a connection: on top of <see cref="TransportConformance"/>,
/// sending and receiving resume by themselves after the broker drops the connection.
/// </summary>
public abstract class BrokerTransportConformance : TransportConformance
{
    private static readonly TimeSpan Resume = TimeSpan.FromSeconds(60);

    /// <summary>Drops the transport's connections from the broker's side, as a broker restart does.</summary>
    protected abstract Task DropConnectionsAsync();

    [Fact]
    public async Task AfterTheBrokerDropsTheConnection_SettlingDoesNotThrow_AndSendingAndReceivingResume()
    {
        var (source, consumer) = (Unique("source"), Unique("consumer"));
        await DeclareAsync(source, consumer);
        await SendAsync(Message(source, null, "before"));
        IDelivery unsettled;
        await using (var reading = new Reading(Receiver, source, consumer))
        {
            unsettled = await reading.NextAsync();
            await DropConnectionsAsync();
            await unsettled.AcknowledgeAsync(CancellationToken.None); // on a dropped channel: the broker delivers it again
        }

        // While the connection recovers a send may fail or throw (the dispatcher retries either); then it succeeds.
        var deadline = DateTime.UtcNow + Resume;
        while (await TrySendAsync(Message(source, null, "after")) != SendStatus.Sent)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Sending did not resume within {Resume.TotalSeconds} s.");
            await Task.Delay(200);
        }

        // The acknowledgement on the dropped connection is lost (RabbitMQ delivers "before" again), or kept
        // (a Kafka consumer that still owns its partition commits it when the broker is back): either way
        // "after" arrives, and nothing else is missing.
        var bodies = new List<string>();
        while (!bodies.Contains("after"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Receiving did not resume within {Resume.TotalSeconds} s; got [{string.Join(", ", bodies)}].");
            await using var again = new Reading(Receiver, source, consumer); // as the consumer host reads again
            try
            {
                while (!bodies.Contains("after"))
                {
                    var delivery = await again.NextAsync();
                    bodies.Add(Encoding.UTF8.GetString(delivery.Message.Body.Span));
                    await delivery.AcknowledgeAsync(CancellationToken.None);
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException and not TimeoutException)
            {
                await Task.Delay(200); // the stream failed while the connection recovers: read again
            }
        }

        string[] received = [.. bodies.Distinct()];
        Assert.True(received is ["before", "after"] or ["after"], $"Received [{string.Join(", ", bodies)}]; expected \"before\" (at most once) and then \"after\".");
    }

    private async Task<SendStatus?> TrySendAsync(TransportMessage message)
    {
        try
        {
            return (await SendAsync(message))[0];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }
}
