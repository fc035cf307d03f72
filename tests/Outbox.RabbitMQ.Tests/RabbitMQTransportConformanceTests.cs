using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outbox.RabbitMQ.Consuming;
using Outbox.RabbitMQ.Publishing;
using Outbox.Testing;
using Outbox.Transport;

namespace Outbox.RabbitMQ.Tests;

/// <summary>The RabbitMQ transport passes the suite every transport passes, against the local broker.</summary>
public sealed class RabbitMQTransportConformanceTests : BrokerTransportConformance
{
    private readonly string _exchange = Unique("exchange");
    private ServiceProvider? _services;

    protected override Task<(ITransport Transport, IMessageReceiver Receiver)> CreateAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outbox:RabbitMQ:Uri"] = Broker.Uri,
            ["Outbox:RabbitMQ:Exchange"] = _exchange,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddOutbox(configuration.GetSection("Outbox")).UseRabbitMQ();
        _services = services.BuildServiceProvider();
        return Task.FromResult<(ITransport, IMessageReceiver)>((_services.GetRequiredService<RabbitMQTransport>(), _services.GetRequiredService<RabbitMQReceiver>()));
    }

    protected override Task DropConnectionsAsync() => Broker.CtlAsync("close_all_connections", "conformance");

    protected override async Task DisposeTransportAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        await using var broker = await Broker.ConnectAsync();
        await broker.DeleteAsync(_exchange, [.. DeclaredConsumers.SelectMany(q => new[] { q, q + ".delay" })]);
    }
}
