using Outbox.RabbitMQ.Connection;
using Outbox.RabbitMQ.Consuming;
using Outbox.RabbitMQ.Mapping;
using Outbox.Transport;
using RabbitMQ.Client.Exceptions;

namespace Outbox.RabbitMQ.Publishing;

/// <summary>
/// Publishes a batch on one channel: every message persistent and <c>mandatory</c>, to the exchange of
/// its destination (a message for one consumer only, to that consumer's queue), all of them
/// outstanding at once, then their confirmations awaited together. A <c>basic.return</c> makes the
/// message unroutable and a <c>basic.nack</c> failed, for that message only; a closed channel or a lost
/// connection makes it unavailable, which counts toward the circuit breaker, and the next batch goes
/// through a new channel.
/// </summary>
internal sealed class RabbitMQTransport(RabbitMQConnection connection) : ITransport
{
    public async ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
    {
        var channel = await connection.GetPublisherAsync(cancellationToken).ConfigureAwait(false);
        var sends = new Task[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            sends[i] = PublishAsync(batch[i]);
        }

        var results = new SendResult[batch.Count];
        var unanswered = false;
        try
        {
            for (var i = 0; i < sends.Length; i++)
            {
                results[i] = await ResultOf(sends[i].WaitAsync(cancellationToken), batch[i]).ConfigureAwait(false);
                unanswered |= results[i].Status == SendStatus.Unavailable;
            }
        }
        catch (OperationCanceledException)
        {
            unanswered = true;
            throw;
        }
        finally
        {
            if (unanswered)
            {
                // Whatever still waits for a confirmation on this channel ends with it; the next batch
                // starts on a new channel, so no state of this one outlives the failure.
                await connection.RetirePublisherAsync(channel).ConfigureAwait(false);
                foreach (var send in sends)
                {
                    _ = send.ContinueWith(static s => s.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }
        }

        return results;

        // The publishes themselves are never cancelled (a publish cancelled while it waits its turn can
        // leave the channel's confirmation tracking inconsistent); only the wait for them is.
        async Task PublishAsync(TransportMessage message)
        {
            if (message.TargetConsumer is { } consumer)
            {
                // For one consumer only: through the default exchange, to the queue named after it.
                await channel.BasicPublishAsync("", ConsumerQueue.QueueOf(consumer), mandatory: true, AmqpMessage.ToProperties(message), message.Body, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            // Declared once per connection; later calls return the finished declaration.
            var exchange = connection.ExchangeFor(message.Destination);
            await connection.DeclareExchangeAsync(exchange, cancellationToken).ConfigureAwait(false);
            await channel.BasicPublishAsync(exchange, message.Destination, mandatory: true, AmqpMessage.ToProperties(message), message.Body, CancellationToken.None).ConfigureAwait(false);
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
            return SendResult.Unroutable(message.TargetConsumer is { } consumer
                ? $"consumer {consumer} has no queue '{ConsumerQueue.QueueOf(consumer)}'"
                : $"no queue is bound to routing key '{message.Destination}' on exchange '{connection.ExchangeFor(message.Destination)}'");
        }
        catch (PublishException)
        {
            return SendResult.Failed("the broker did not accept the message (basic.nack)");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The channel or the connection went down under the batch: the broker, not the message.
            return SendResult.Unavailable($"RabbitMQ at {connection.Address}: {ex.Message}");
        }
    }
}
