using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox.Transport;

namespace Outbox.RabbitMQ.Connection;

/// <summary>
/// Connects and declares the exchange when the host starts, so a wrong address, refused credentials or a
/// mismatched exchange stop the start with a message, rather than show up later as failed sends.
/// Closes the connection when the host stops. A service that registered RabbitMQ but uses another
/// transport does not connect.
/// </summary>
internal sealed class RabbitMQStartup(RabbitMQConnection connection, OutboxTransports transports) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!transports.IsUsed(RabbitMQOutboxBuilderExtensions.TransportName))
        {
            return; // registered, but this service is configured to use another transport
        }

        await connection.GetAsync(cancellationToken).ConfigureAwait(false);
        if (!connection.Options.ExchangePerDestination)
        {
            await connection.DeclareExchangeAsync(connection.Options.Exchange, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
