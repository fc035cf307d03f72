using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Kafka.Consuming;
using Outbox.Kafka.Publishing;
using Outbox.Testing;
using Outbox.Transport;

namespace Outbox.Kafka.Tests;

/// <summary>The Kafka transport passes the suite every transport passes, over the Kafka protocol to the mock cluster.</summary>
public sealed class KafkaTransportConformanceTests : BrokerTransportConformance
{
    private ServiceProvider? _services;

    protected override bool RoutesToOneConsumer => false;

    protected override Task<(ITransport Transport, IMessageReceiver Receiver)> CreateAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(MockCluster.Instance.Configuration()).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddOutbox(configuration.GetSection("Outbox")).UseKafka();
        _services = services.BuildServiceProvider();
        return Task.FromResult<(ITransport, IMessageReceiver)>((_services.GetRequiredService<KafkaTransport>(), _services.GetRequiredService<KafkaReceiver>()));
    }

    protected override async Task DropConnectionsAsync()
    {
        MockCluster.Instance.BrokerDown();
        await Task.Delay(TimeSpan.FromSeconds(1));
        MockCluster.Instance.BrokerUp();
    }

    protected override async Task DisposeTransportAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
