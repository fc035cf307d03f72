using System.Diagnostics;
using Microsoft.Extensions.Options;
using Outbox.Publishing;
using Outbox.Serialization;
using Outbox.Storage;
using Outbox.Testing;

namespace Outbox.Tests;

public sealed class OutboxMessageFactoryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void UnregisteredType_IsRejected_SayingHowToRegisterIt()
    {
        var error = Assert.Throws<OutboxException>(() => Factory().Create(new Unknown(), null));

        Assert.Contains("'Outbox.Tests.OutboxMessageFactoryTests+Unknown' is not registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("options.Route<Unknown>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegisteredTypeWithoutRoute_NeedsADestination()
    {
        var factory = Factory(o => o.AddMessageType<Ping>("ping"));

        var error = Assert.Throws<OutboxException>(() => factory.Create(new Ping(1), null));
        Assert.Contains("No destination for message type 'ping'", error.Message, StringComparison.Ordinal);
        Assert.Equal("given", factory.Create(new Ping(1), new PublishOptions { Destination = "given" }).Destination);
    }

    [Fact]
    public void OversizedPayload_IsRejected_NamingTheLimit()
    {
        var factory = Factory(o =>
        {
            o.Route<Ping>("pings");
            o.MaxPayloadBytes = 10;
        });

        var error = Assert.Throws<OutboxException>(() => factory.Create(new Ping(123456789), null));

        Assert.Contains("more than Outbox:MaxPayloadBytes (10)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("message-id")]
    [InlineData("message-type")]
    [InlineData("content-type")]
    [InlineData("outbox-consumer")]
    [InlineData("outbox-seq")]
    [InlineData("outbox-anything")]
    public void ReservedHeader_IsRefused_NamingIt(string header)
    {
        var factory = Factory(o => o.Route<Ping>("pings"));

        var error = Assert.Throws<OutboxException>(() => factory.Create(new Ping(1), new PublishOptions { Headers = new Dictionary<string, string> { ["tenant"] = "a", [header] = "x" } }));

        Assert.Contains($"The header '{header}' of the 'Ping' message is the outbox's own", error.Message, StringComparison.Ordinal);
        Assert.Equal("a", factory.Create(new Ping(1), new PublishOptions { Headers = new Dictionary<string, string> { ["tenant"] = "a" } }).Headers["tenant"]);
    }

    [Theory]
    [InlineData("key", 257, "the key is 257 characters long; at most 256 can be stored")]
    [InlineData("key", 0, "the key contains a NUL character")]
    [InlineData("destination", 300, "the destination is 300 characters long; at most 256 can be stored")]
    [InlineData("destination", 0, "the destination contains a NUL character")]
    public void FieldNoStoreHolds_IsRefused_WithTheLimit(string field, int length, string expected)
    {
        var value = length == 0 ? "a\0b" : new string('x', length);
        var options = field == "key" ? new PublishOptions { Key = value } : new PublishOptions { Destination = value };

        var error = Assert.Throws<OutboxException>(() => Factory(o => o.Route<Ping>("pings")).Create(new Ping(1), options));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.NotNull(Factory(o => o.Route<Ping>("pings")).Create(new Ping(1), field == "key" ? new PublishOptions { Key = new string('x', 256) } : new PublishOptions { Destination = new string('x', 256) }));
    }

    [Fact]
    public void DelayAndDueAtTogether_AreRejected() =>
        Assert.Throws<OutboxException>(() => Factory(o => o.Route<Ping>("pings")).Create(
            new Ping(1), new PublishOptions { Delay = TimeSpan.FromSeconds(1), DueAt = DateTimeOffset.UtcNow }));

    [Fact]
    public void NegativeDelay_IsRejected() =>
        Assert.Throws<OutboxException>(() => Factory(o => o.Route<Ping>("pings")).Create(new Ping(1), new PublishOptions { Delay = TimeSpan.FromSeconds(-1) }));

    [Fact]
    public void ImmediateMessage_IsPrepared_AndLeasedToThisInstance()
    {
        var row = Factory(o => o.Route<Ping>("pings")).Create(new Ping(1), new PublishOptions { Key = "k" });
        var now = _time.GetUtcNow();

        Assert.Equal(MessageStatus.Prepared, row.Status);
        Assert.Equal(MessageKind.Outbox, row.Kind);
        Assert.Equal("me", row.LeaseOwner);
        Assert.Equal(now.AddSeconds(30), row.LeaseExpiresAt);
        Assert.Equal((now, now, now), (row.CreatedAt, row.DueAt, row.NextAttemptAt));
        Assert.Equal(("pings", "Ping", "k"), (row.Destination, row.MessageType, row.Key));
        Assert.Equal(7, row.MessageId.Version);
    }

    [Fact]
    public void DelayedMessage_IsPending_WithNoLease_AndDueLater()
    {
        var row = Factory(o => o.Route<Ping>("pings")).Create(new Ping(1), new PublishOptions { Delay = TimeSpan.FromMinutes(2) });

        Assert.Equal(MessageStatus.Pending, row.Status);
        Assert.Null(row.LeaseOwner);
        Assert.Equal(row.CreatedAt.AddMinutes(2), row.DueAt);
        Assert.Equal(row.DueAt, row.NextAttemptAt);
    }

    [Fact]
    public void TraceContext_OfTheCurrentActivity_TravelsInTheHeaders()
    {
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        var row = Factory(o => o.Route<Ping>("pings")).Create(new Ping(1), new PublishOptions { Headers = new Dictionary<string, string> { ["a"] = "b" } });

        var headers = row.Headers;
        Assert.Equal("b", headers["a"]);
        Assert.StartsWith($"00-{activity.TraceId}-", headers["traceparent"], StringComparison.Ordinal);
    }

    [Fact]
    public void GivenMessageId_IsKept()
    {
        var id = Guid.NewGuid();

        Assert.Equal(id, Factory(o => o.Route<Ping>("pings")).Create(new Ping(1), new PublishOptions { MessageId = id }).MessageId);
    }

    [Theory]
    [InlineData("k", 0, true)]
    [InlineData(null, 0, false)] // keyless: no key to number
    [InlineData("k", 2, false)] // delayed: sent after messages written later
    public void ANumberedRoutesMessage_IsMarkedForNumbering_OnceHere(string? key, int delayMinutes, bool sequenced)
    {
        var factory = Factory(o =>
        {
            o.Route<Ping>("pings", sequenced: true);
            o.ServiceName = "shop";
        });

        var row = factory.Create(new Ping(1), new PublishOptions { Key = key, Delay = TimeSpan.FromMinutes(delayMinutes) });

        Assert.Equal(sequenced, row.Sequenced);
        Assert.Equal(sequenced ? "shop" : null, row.Headers.GetValueOrDefault(Outbox.Transport.TransportMessage.SourceHeader));
    }

    [Fact]
    public void AnUnnumberedRoutesMessage_IsNotMarked()
    {
        var row = Factory(o => o.Route<Ping>("pings")).Create(new Ping(1), new PublishOptions { Key = "k" });

        Assert.False(row.Sequenced);
        Assert.False(row.Headers.ContainsKey(Outbox.Transport.TransportMessage.SourceHeader));
    }

    private OutboxMessageFactory Factory(Action<OutboxOptions>? configure = null)
    {
        var options = new OutboxOptions { InstanceId = "me" };
        configure?.Invoke(options);
        var wrapped = Options.Create(options);
        return new OutboxMessageFactory(wrapped, new SystemTextJsonMessageSerializer(Options.Create(new OutboxOptions())), _time, new OutboxInstance(wrapped));
    }

    private sealed record Ping(long Number);

    private sealed record Unknown;
}
