using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox.Transport;

namespace Outbox.Kafka.Connection;

/// <summary>
/// Checks at start-up that the brokers answer and that librdkafka takes the producer's and the consumers'
/// settings, so a wrong address or a misspelt property stops the start with a message, rather than show
/// up later as failed sends. A service that registered Kafka but uses another transport does not connect.
/// </summary>
internal sealed class KafkaStartup(KafkaClients clients, OutboxTransports transports) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!transports.IsUsed(KafkaOutboxBuilderExtensions.TransportName))
        {
            return; // registered, but this service is configured to use another transport
        }

        _ = clients.Producer;
        clients.Create("consumer", () => new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(clients.Settings.Consumer("outbox-settings-check")).Build()).Dispose();
        await Task.Run(() => clients.Connect(clients.Settings.Options.ConnectionTimeout), cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
