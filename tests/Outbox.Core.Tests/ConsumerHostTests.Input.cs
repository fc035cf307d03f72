using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Consumers;
using Outbox.Transport;

namespace Outbox.Tests;

/// <summary>What the consumer host does with a delivery whose fields no store holds, whose headers it must not trust, or whose dead letter the store refuses.</summary>
public sealed partial class ConsumerHostTests
{
    [Theory]
    [InlineData("key", 257, false)]
    [InlineData("key", 3, true)]
    [InlineData("type", 300, false)]
    [InlineData("type", 3, true)]
    public async Task FieldNoStoreHolds_IsDeadLetteredWithTheFieldNamed_StoredCutAndWithoutNul_AndTheNextDeliveryIsHandled(string field, int length, bool nul)
    {
        await StartAsync();
        var value = nul ? "a\0b" : new string('k', length);
        var poison = field == "key" ? Message(value) : Message() with { MessageType = value };
        var next = new ScriptedDelivery(Message());

        await _receiver.SendAsync(new ScriptedDelivery(poison), next);

        await WaitAsync(() => next.Acknowledged && !_store.DeadLetteredMessages.IsEmpty, "the next delivery and the dead letter");
        var (dead, reason, _, error) = Assert.Single(_store.DeadLetteredMessages);
        Assert.Equal(("invalid-message", poison.MessageId), (reason, dead.MessageId));
        Assert.Contains(field == "key" ? "the key" : "the message type", error, StringComparison.Ordinal);
        Assert.Contains(nul ? "NUL" : $"{length} characters long; at most 256", error, StringComparison.Ordinal);
        var stored = field == "key" ? dead.Key! : dead.MessageType;
        Assert.Equal(nul ? "a\\0b" : new string('k', 256), stored);
        Assert.DoesNotContain(poison.MessageId, _pipeline.Handled);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 16 && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task DefectFoundByTheTransport_IsDeadLetteredWithIt_WithoutRunningTheHandler()
    {
        await StartAsync();
        var poison = Message("k") with { Defect = "the outbox-key header is a table, not text" };
        var next = new ScriptedDelivery(Message("k"));

        await _receiver.SendAsync(new ScriptedDelivery(poison), next);

        await WaitAsync(() => next.Acknowledged, "the delivery behind it on the same key");
        var (dead, reason, _, error) = Assert.Single(_store.DeadLetteredMessages);
        Assert.Equal((poison.MessageId, "invalid-message", "the outbox-key header is a table, not text"), (dead.MessageId, reason, error));
        Assert.Equal(0, _pipeline.Calls(poison.MessageId));
    }

    [Fact]
    public async Task BodyLargerThanMaxPayloadBytes_IsDeadLettered()
    {
        await StartAsync(("Outbox:MaxPayloadBytes", "100"));
        var large = Message() with { Body = new byte[101] };

        await _receiver.SendAsync(new ScriptedDelivery(large));

        await WaitAsync(() => !_store.DeadLetteredMessages.IsEmpty, "the dead letter");
        Assert.Equal("the body is 101 bytes, more than MaxPayloadBytes (100)", Assert.Single(_store.DeadLetteredMessages).LastError);
    }

    [Fact]
    public async Task DeadLetterTheStoreRefuses_IsWrittenWithIdBodyAndReasonOnly_LoggedOnceWritten_AndTheKeyMovesOn()
    {
        await StartAsync();
        _store.RefuseDeadLetterDeliveries = 1;
        var poison = Message("k");
        _pipeline.Reject.Add(poison.MessageId);
        var behind = new ScriptedDelivery(Message("k"));

        await _receiver.SendAsync(new ScriptedDelivery(poison), behind);

        await WaitAsync(() => behind.Acknowledged, "the delivery behind it on the same key");
        var (dead, reason, _, error) = Assert.Single(_store.DeadLetteredMessages);
        Assert.Equal((poison.MessageId, "", null, "malformed-message"), (dead.MessageId, dead.MessageType, dead.Key, reason));
        Assert.Equal(poison.Body.ToArray(), dead.Body.ToArray());
        Assert.Empty(dead.Headers);
        Assert.Contains("the dead letter's other fields could not be stored: 22001", error, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(Assert.Single(_logs.Entries, e => e.EventId.Id == 33).Exception);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 16);
    }

    [Fact]
    public async Task DeadLetterRefusedEvenCut_TheDeliveryWaitsInPlace_AndNoLineClaimsItWasSetAside_UntilItIs()
    {
        await StartAsync(("Outbox:Consumers:RedeliveryDelay", "00:00:07"), ("Outbox:Consumers:Ordering", "None"));
        _store.RefuseDeadLetterDeliveries = 2;
        var poison = Message();
        _pipeline.Reject.Add(poison.MessageId);
        var broken = new ScriptedDelivery(poison);

        await _receiver.SendAsync(broken);

        await WaitAsync(() => _time.TimerCount == 1 && _logs.Entries.Any(e => e.EventId.Id == 34), "the delivery to wait at the gate");
        Assert.Empty(_store.DeadLetteredMessages);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id is 16 or 29 or 33);
        _time.Advance(TimeSpan.FromSeconds(7));
        await WaitAsync(() => broken.Acknowledged, "the dead letter, once the store takes it");
        Assert.Equal(poison.MessageType, Assert.Single(_store.DeadLetteredMessages).Message.MessageType); // written whole once the store takes it
        Assert.Single(_logs.Entries, e => e.EventId.Id == 16);
    }

    [Theory]
    [InlineData(-1_000_000)]
    [InlineData(0)]
    [InlineData(100_000)]
    public async Task AttemptNotOneTheOutboxWrites_CountsAsTheFirst(int attempt)
    {
        await StartAsync(("Outbox:Consumers:RedeliveryDelay", "00:00:05"), ("Outbox:Consumers:Ordering", "None"));
        var failing = Message();
        _pipeline.FailOnce.Add(failing.MessageId);
        var delivery = new ScriptedDelivery(failing, attempt: attempt);

        await _receiver.SendAsync(delivery);

        await WaitAsync(() => delivery.RedeliveredAfter is not null, "the failed delivery to be given back");
        Assert.Equal([1], _pipeline.Attempts(failing.MessageId));
        Assert.InRange(delivery.RedeliveredAfter!.Value, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6)); // the first delivery's backoff, ±20%
        Assert.Empty(_store.DeadLetteredMessages);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 30 && e.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task ConsumerHeaderNamingNoConsumerOfThisService_IsIgnored_AndTheMessageHandled()
    {
        await StartAsync();
        var foreign = Message() with { Headers = new Dictionary<string, string> { [TransportMessage.ConsumerHeader] = "someone-else" } };
        var delivery = new ScriptedDelivery(foreign);

        await _receiver.SendAsync(delivery);

        await WaitAsync(() => delivery.Acknowledged, "the delivery");
        Assert.Equal([foreign.MessageId], _pipeline.Handled);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 32 && e.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task ConsumerHeaderNamingAnotherConsumerOfThisService_IsSkipped()
    {
        await StartAsync(o => o.AddConsumer<PingHandler>(c =>
        {
            c.Source = "pings";
            c.Name = "audit";
        }));
        var requeued = Message() with { Headers = new Dictionary<string, string> { [TransportMessage.ConsumerHeader] = "audit" } };
        var delivery = new ScriptedDelivery(requeued);
        var pings = _services.GetServices<ConsumerRegistration>().Single(c => c.Name == "pings");

        await _host.ProcessAsync(pings, delivery, CancellationToken.None);

        Assert.True(delivery.Acknowledged);
        Assert.Equal(0, _pipeline.Calls(requeued.MessageId));
        Assert.Single(_logs.Entries, e => e.EventId.Id == 31 && e.Level == LogLevel.Debug);
    }
}
