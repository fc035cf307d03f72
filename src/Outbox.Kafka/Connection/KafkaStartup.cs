using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Kafka.Telemetry;
using Outbox.Transport;

namespace Outbox.Kafka.Connection;

/// <summary>
/// Checks at start-up that librdkafka takes the producer's and the consumers' settings and that the brokers
/// answer, so that a misspelt property or refused credentials stop the start with a message, rather than show
/// up later as failed sends. Brokers that do not answer do not stop the start (unless
/// <c>Outbox:RequireBrokerAtStart</c>): one warning, and librdkafka connects once they answer. A service that
/// registered Kafka but uses another transport does not connect.
/// </summary>
internal sealed class KafkaStartup(KafkaClients clients, OutboxTransports transports, IOptions<OutboxOptions> options, ILogger<KafkaStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!transports.IsUsed(KafkaOutboxBuilderExtensions.TransportName))
        {
            return; // registered, but this service is configured to use another transport
        }

        _ = clients.Producer;
        clients.Create("consumer", () => new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(clients.Settings.Consumer("outbox-settings-check")).Build()).Dispose();
        try
        {
            await Task.Run(() => clients.Connect(clients.Settings.Options.ConnectionTimeout), cancellationToken).ConfigureAwait(false);
        }
        catch (TransportUnavailableException ex) when (!options.Value.RequireBrokerAtStart)
        {
            Log.StartingWithoutBroker(logger, clients.Address, ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
