using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outbox.Consumers;

namespace Outbox.Tests;

public sealed class ConsumerRegistrationTests
{
    [Fact]
    public void ConsumerInCode_IsRegisteredWithItsHandlerAndMessageType()
    {
        var services = new ServiceCollection();
        services.AddOutbox(Configuration([]), o => o.Route<Ping>("pings"))
            .AddConsumer<PingHandler>(c =>
            {
                c.Source = "pings";
                c.Name = "ponger";
                c.MaxConcurrency = 4;
            });

        var consumer = Assert.Single(services.BuildServiceProvider().GetServices<ConsumerRegistration>());

        Assert.Equal(("ponger", "pings", typeof(Ping), 4), (consumer.Name, consumer.Source, consumer.MessageType, consumer.MaxConcurrency));
    }

    [Fact]
    public void EndpointSettings_OverrideTheConsumerDeclaredInCode()
    {
        var services = new ServiceCollection();
        services.AddOutbox(Configuration(new() { ["Consumers:Endpoints:ponger:Source"] = "pings.v2", ["Consumers:Endpoints:ponger:MaxDeliveries"] = "3" }), o => o.Route<Ping>("pings"))
            .AddConsumer<PingHandler>(c =>
            {
                c.Source = "pings";
                c.Name = "ponger";
            });

        var consumer = Assert.Single(services.BuildServiceProvider().GetServices<ConsumerRegistration>());

        Assert.Equal(("pings.v2", 3), (consumer.Source, consumer.MaxDeliveries));
    }

    [Fact]
    public void ConsumerDeclaredInConfiguration_IsRegistered()
    {
        var services = new ServiceCollection();
        services.AddOutbox(
            Configuration(new()
            {
                ["Consumers:Endpoints:from-config:Source"] = "pings",
                ["Consumers:Endpoints:from-config:Handler"] = typeof(PingHandler).AssemblyQualifiedName,
            }),
            o => o.Route<Ping>("pings"));
        using var provider = services.BuildServiceProvider();

        var consumer = Assert.Single(provider.GetServices<ConsumerRegistration>());

        Assert.Equal(("from-config", "pings", typeof(Ping)), (consumer.Name, consumer.Source, consumer.MessageType));
        Assert.NotNull(provider.CreateScope().ServiceProvider.GetService<PingHandler>());
    }

    [Fact]
    public void UnloadableHandlerInConfiguration_FailsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddOutbox(Configuration(new()
        {
            ["Consumers:Endpoints:broken:Source"] = "pings",
            ["Consumers:Endpoints:broken:Handler"] = "No.Such.Handler, Nowhere",
        })));

        Assert.Contains("Outbox:Consumers:Endpoints:broken:Handler names 'No.Such.Handler, Nowhere'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HandlerWithoutIMessageHandler_OrWithoutSource_IsRejected()
    {
        var builder = new ServiceCollection().AddOutbox(Configuration([]));

        Assert.Contains("must implement IMessageHandler<TMessage>", Assert.Throws<ArgumentException>(() => builder.AddConsumer<NotAHandler>(c =>
        {
            c.Source = "s";
            c.Name = "n";
        })).Message, StringComparison.Ordinal);
        Assert.Contains("needs a Source and a Name", Assert.Throws<ArgumentException>(() => builder.AddConsumer<PingHandler>(c => c.Name = "n")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsumerOfAnUnregisteredType_OrTwoWithOneName_AreStartUpErrors()
    {
        var services = new ServiceCollection();
        services.AddOutbox(Configuration([]))
            .AddConsumer<PingHandler>(c =>
            {
                c.Source = "pings";
                c.Name = "twice";
            })
            .AddConsumer<PingHandler>(c =>
            {
                c.Source = "pings";
                c.Name = "twice";
            });

        var error = Assert.Throws<OptionsValidationException>(() => services.BuildServiceProvider().GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains("Consumer 'twice' handles Ping, which is not a registered message type", error.Message, StringComparison.Ordinal);
        Assert.Contains("Two consumers are named 'twice'", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    public sealed record Ping;

    public sealed class PingHandler : IMessageHandler<Ping>
    {
        public ValueTask HandleAsync(Ping message, MessageContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    public sealed class NotAHandler;
}
