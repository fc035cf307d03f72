using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outbox.Dispatching;
using Outbox.Storage;
using Outbox.Testing;
using Outbox.Transport;

namespace Outbox.Tests;

/// <summary>Transports registered by name, and the one a service uses chosen in configuration.</summary>
public sealed class TransportSelectionTests
{
    private readonly ScriptedTransport _other = new();

    [Fact]
    public void TheOnlyRegisteredTransport_IsTheDefault()
    {
        using var provider = Services([], o => o.UseTransport("Other", _ => _other));

        Assert.Same(_other, provider.GetRequiredService<ITransport>());
        Assert.Equal("Other", provider.GetRequiredService<OutboxTransports>().DefaultName);
    }

    [Theory]
    [InlineData("Other")]
    [InlineData("other")]
    public void OutboxTransport_ChoosesTheDefaultByName(string chosen)
    {
        using var provider = Services(new() { ["Outbox:Transport"] = chosen }, o => o.UseInMemoryTransport().UseTransport("Other", _ => _other));

        Assert.Same(_other, provider.GetRequiredService<ITransport>());
        Assert.True(provider.GetRequiredService<OutboxTransports>().IsUsed("Other"));
        Assert.False(provider.GetRequiredService<OutboxTransports>().IsUsed("InMemory"));
    }

    [Fact]
    public void SeveralTransports_WithoutAChoice_StopTheStart_NamingThem()
    {
        using var provider = Services([], o => o.UseInMemoryTransport().UseTransport("Other", _ => _other));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains("Several outbox transports are registered (InMemory, Other): choose the default one with Outbox:Transport.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownName_StopsTheStart_ListingTheRegisteredOnes()
    {
        using var provider = Services(new() { ["Outbox:Transport"] = "Kafka" }, o => o.UseInMemoryTransport().UseTransport("Other", _ => _other));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains("Outbox:Transport is 'Kafka', which is not a registered transport; registered: InMemory, Other.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConsumerNamingAnUnknownTransport_StopsTheStart()
    {
        using var provider = Services([], o => o.UseInMemoryTransport().AddConsumer<ConsumerRegistrationTests.PingHandler>(c =>
        {
            c.Source = "pings";
            c.Name = "ponger";
            c.Transport = "RabbitMQ";
        }));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains("Outbox:Consumers:Endpoints:ponger:Transport is 'RabbitMQ', which is not a registered transport; registered: InMemory.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATransportUsedOnlyByAConsumer_IsUsed()
    {
        using var provider = Services(new() { ["Outbox:Transport"] = "InMemory" }, o => o.UseInMemoryTransport().UseTransport("Other", _ => _other).AddConsumer<ConsumerRegistrationTests.PingHandler>(c =>
        {
            c.Source = "pings";
            c.Name = "ponger";
            c.Transport = "Other";
        }));

        Assert.True(provider.GetRequiredService<OutboxTransports>().IsUsed("Other"));
    }

    [Fact]
    public void TheSameNameTwice_IsRefused_ButATransportsOwnUseMayBeCalledAgain()
    {
        var builder = new ServiceCollection().AddOutbox(new ConfigurationBuilder().Build()).UseInMemoryTransport().UseInMemoryTransport();

        var error = Assert.Throws<ArgumentException>(() => builder.UseTransport("inmemory", _ => _other));

        Assert.StartsWith("A transport named 'inmemory' is registered already.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARouteNamingAnotherTransport_IsSentThroughIt_AndEveryOtherTypeThroughTheDefault()
    {
        var main = new ScriptedTransport();
        using var provider = Services(
            new() { ["Outbox:Transport"] = "Main", ["Outbox:Routes:Ping:Destination"] = "pings.v2", ["Outbox:Routes:Ping:Transport"] = "Other" },
            o => o.UseTransport("Main", _ => main).UseTransport("Other", _ => _other));

        await provider.GetRequiredService<MessageRelay>().RelayAsync([Row(1, "Ping"), Row(2, "Pong"), Row(3, "Ping")], CancellationToken.None);

        Assert.Equal([Id(1), Id(3)], _other.Sent.Select(m => m.MessageId));
        Assert.Equal([Id(2)], main.Sent.Select(m => m.MessageId));
        var options = provider.GetRequiredService<IOptions<OutboxOptions>>().Value;
        Assert.Equal(("pings.v2", "Other"), (options.Routes["Ping"], options.RouteTransports["Ping"]));
        Assert.True(provider.GetRequiredService<OutboxTransports>().IsUsed("Other"));
    }

    [Fact]
    public async Task OneTransportDown_OpensOnlyItsOwnCircuit_TheOtherKeepsSending()
    {
        var main = new ScriptedTransport();
        _other.Throw = new IOException("broker down");
        using var provider = Services(
            new() { ["Outbox:Transport"] = "Main", ["Outbox:Dispatch:Retry:MaxRetryAttempts"] = "0", ["Outbox:Dispatch:CircuitBreaker:MinimumThroughput"] = "2" },
            o => o.UseTransport("Main", _ => main).UseTransport("Other", _ => _other),
            o => o.Route<Pong>("pongs", transport: "Other"));
        var relay = provider.GetRequiredService<MessageRelay>();

        await relay.RelayAsync([Row(1, "Pong")], CancellationToken.None);
        await relay.RelayAsync([Row(2, "Pong")], CancellationToken.None);
        await relay.RelayAsync([Row(3, "Pong"), Row(4, "Ping")], CancellationToken.None);

        Assert.Equal([Id(4)], main.Sent.Select(m => m.MessageId));
        Assert.Equal(2, _other.Calls); // the third Pong was not tried: its transport's circuit is open
        Assert.False(relay.IsCircuitOpen);
    }

    [Fact]
    public void ARouteNamingAnUnknownTransport_StopsTheStart()
    {
        using var provider = Services(new() { ["Outbox:Routes:Ping:Transport"] = "Kafka" }, o => o.UseInMemoryTransport());

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains("Outbox:Routes:Ping:Transport is 'Kafka', which is not a registered transport; registered: InMemory.", error.Message, StringComparison.Ordinal);
    }

    private static Guid Id(long id) => new(id.ToString("D32", System.Globalization.CultureInfo.InvariantCulture));

    private static StoredMessage Row(long id, string type) => new()
    {
        Id = id,
        MessageId = Id(id),
        Destination = "d",
        MessageType = type,
        Status = MessageStatus.Pending,
    };

    private sealed record Pong;

    private static ServiceProvider Services(Dictionary<string, string?> settings, Action<IOutboxBuilder> outbox, Action<OutboxOptions>? routes = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Outbox");
        outbox(services.AddOutbox(configuration, o =>
        {
            o.Route<ConsumerRegistrationTests.Ping>("pings");
            routes?.Invoke(o);
        }).UseStore(_ => new RecordingStore()));
        return services.BuildServiceProvider();
    }
}
