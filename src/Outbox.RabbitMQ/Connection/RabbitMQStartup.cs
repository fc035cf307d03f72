using Microsoft.Extensions.Hosting;

namespace Outbox.RabbitMQ.Connection;

/// <summary>
/// Connects and declares the exchange when the host starts, so a wrong address, refused credentials or a
/// mismatched exchange stop the start with a message, rather than show up later as failed sends.
/// Closes the connection when the host stops.
/// </summary>
internal sealed class RabbitMQStartup(RabbitMQConnection connection) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await connection.GetAsync(cancellationToken).ConfigureAwait(false);
        if (!connection.Options.ExchangePerDestination)
        {
            await connection.DeclareExchangeAsync(connection.Options.Exchange, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
