using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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

    private static ServiceProvider Services(Dictionary<string, string?> settings, Action<IOutboxBuilder> outbox)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        outbox(services.AddOutbox(new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Outbox"), o => o.Route<ConsumerRegistrationTests.Ping>("pings")));
        return services.BuildServiceProvider();
    }
}
