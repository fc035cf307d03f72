using Outbox.RabbitMQ.Connection;
using Outbox.RabbitMQ.Mapping;
using Outbox.Transport;
using RabbitMQ.Client.Exceptions;

namespace Outbox.RabbitMQ.Publishing;

/// <summary>
/// Publishes a batch on one channel: every message persistent and <c>mandatory</c>, all of them
/// outstanding at once, then their confirmations awaited together. A <c>basic.return</c> makes the
/// message unroutable; a <c>basic.nack</c>, a closed channel or a lost connection makes it failed.
/// </summary>
internal sealed class RabbitMQTransport(RabbitMQConnection connection) : ITransport
{
    public async ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
    {
        var channel = await connection.GetPublisherAsync(cancellationToken).ConfigureAwait(false);
        var sends = new Task[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i];
            var exchange = connection.ExchangeFor(message.Destination);
            sends[i] = PublishAsync(exchange, message, cancellationToken);
        }

        var results = new SendResult[batch.Count];
        for (var i = 0; i < sends.Length; i++)
        {
            results[i] = await ResultOf(sends[i], batch[i]).ConfigureAwait(false);
        }

        return results;

        async Task PublishAsync(string exchange, TransportMessage message, CancellationToken token)
        {
            // Declared once per process; later calls return the finished declaration.
            await connection.DeclareExchangeAsync(exchange, token).ConfigureAwait(false);
            await channel.BasicPublishAsync(exchange, message.Destination, mandatory: true, AmqpMessage.ToProperties(message), message.Body, token).ConfigureAwait(false);
        }
    }

    private async Task<SendResult> ResultOf(Task send, TransportMessage message)
    {
        try
        {
            await send.ConfigureAwait(false);
            return SendResult.Sent;
        }
        catch (PublishException ex) when (ex.IsReturn)
        {
            return SendResult.Unroutable($"no queue is bound to routing key '{message.Destination}' on exchange '{connection.ExchangeFor(message.Destination)}'");
        }
        catch (PublishException)
        {
            return SendResult.Failed("the broker did not accept the message (basic.nack)");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return SendResult.Failed($"RabbitMQ at {connection.Address}: {ex.Message}");
        }
    }
}
