using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.RabbitMQ.Telemetry;
using Outbox.Transport;

namespace Outbox.RabbitMQ.Connection;

/// <summary>
/// Connects and declares the exchange when the host starts, so that refused credentials, an unknown virtual
/// host or a mismatched exchange stop the start with a message, rather than show up later as failed sends.
/// A broker that cannot be reached does not stop the start (unless <c>Outbox:RequireBrokerAtStart</c>): one
/// warning, and the transport connects once the broker answers. A service that registered RabbitMQ but uses
/// another transport does not connect. The connection is closed when the host's services are disposed.
/// </summary>
internal sealed class RabbitMQStartup(RabbitMQConnection connection, OutboxTransports transports, IOptions<OutboxOptions> options, ILogger<RabbitMQStartup> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!transports.IsUsed(RabbitMQOutboxBuilderExtensions.TransportName))
        {
            return; // registered, but this service is configured to use another transport
        }

        try
        {
            await connection.GetAsync(cancellationToken).ConfigureAwait(false);
            if (!connection.Options.ExchangePerDestination)
            {
                await connection.DeclareExchangeAsync(connection.Options.Exchange, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TransportUnavailableException ex) when (!options.Value.RequireBrokerAtStart)
        {
            Log.StartingWithoutBroker(logger, connection.Address, ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
