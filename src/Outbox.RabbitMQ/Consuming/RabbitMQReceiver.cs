using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Outbox.RabbitMQ.Connection;
using Outbox.RabbitMQ.Mapping;
using Outbox.RabbitMQ.Telemetry;
using Outbox.Transport;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Outbox.RabbitMQ.Consuming;

/// <summary>
/// Reads a consumer's queue (named after the consumer, bound to its source) with manual
/// acknowledgements and the configured prefetch. A channel the broker closed, a consumer it cancelled,
/// or a lost connection ends the stream with an error, and the consumer host reads again on a new
/// channel.
/// </summary>
internal sealed class RabbitMQReceiver(RabbitMQConnection connection, ILogger<RabbitMQReceiver> logger) : IMessageReceiver
{
    public async ValueTask DeclareAsync(string source, string consumer, CancellationToken cancellationToken)
    {
        var queue = QueueOf(source, consumer);
        await connection.DeclareExchangeAsync(queue.Exchange, cancellationToken).ConfigureAwait(false);
        await connection.DeclareAsync(
            $"queue '{queue.Queue}' or '{queue.DelayQueue}'",
            async channel =>
            {
                var arguments = QueueArguments();
                if (connection.Options.SingleActiveConsumer)
                {
                    arguments["x-single-active-consumer"] = true;
                }

                await channel.QueueDeclareAsync(queue.Queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(queue.Queue, queue.Exchange, queue.Source, cancellationToken: cancellationToken).ConfigureAwait(false);
                var delay = QueueArguments();
                delay["x-dead-letter-exchange"] = "";
                delay["x-dead-letter-routing-key"] = queue.Queue;
                await channel.QueueDeclareAsync(queue.DelayQueue, durable: true, exclusive: false, autoDelete: false, delay, cancellationToken: cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<IDelivery> ReceiveAsync(string source, string consumer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await DeclareAsync(source, consumer, cancellationToken).ConfigureAwait(false);
        var queue = QueueOf(source, consumer);
        var open = await connection.GetAsync(cancellationToken).ConfigureAwait(false);
        var channel = await open.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            var prefetch = connection.Options.PrefetchCount;
            await channel.BasicQosAsync(0, prefetch, global: false, cancellationToken).ConfigureAwait(false);
            var deliveries = Channel.CreateUnbounded<IDelivery>(new UnboundedChannelOptions { SingleReader = true });
            var reader = new AsyncEventingBasicConsumer(channel);
            reader.ReceivedAsync += (_, args) =>
            {
                TransportMessage message;
                var attempt = 1;
                try
                {
                    message = AmqpMessage.FromDelivery(source, args.BasicProperties, args.Body, out var hasMessageId);
                    if (!hasMessageId)
                    {
                        Log.MissingMessageId(logger, consumer, queue.Queue);
                    }

                    attempt = AmqpMessage.AttemptOf(args.BasicProperties, args.Redelivered);
                }
                catch (Exception ex)
                {
                    // Whatever a producer wrote, the delivery is handed on, to be set aside with the reason.
                    message = AmqpMessage.Unreadable(source, args.Body, ex);
                }

                deliveries.Writer.TryWrite(new RabbitMQDelivery(channel, args.DeliveryTag, message, attempt, queue, connection, logger));
                return Task.CompletedTask;
            };
            reader.UnregisteredAsync += (_, _) =>
            {
                if (!cancellationToken.IsCancellationRequested)
                {
                    deliveries.Writer.TryComplete(new OutboxException($"RabbitMQ cancelled consumer {consumer} on queue '{queue.Queue}' (was the queue deleted?)."));
                }

                return Task.CompletedTask;
            };
            reader.ShutdownAsync += (_, args) =>
            {
                // Neither a channel the broker closed nor one lost with the connection is recovered: the
                // consumer host reads again, on a new channel (and a new connection if need be), whose
                // queue declaration and basic.consume report what goes wrong.
                if (!cancellationToken.IsCancellationRequested && (args.Initiator != ShutdownInitiator.Application || !open.IsOpen))
                {
                    deliveries.Writer.TryComplete(new OutboxException(open.IsOpen
                        ? $"RabbitMQ closed the channel of consumer {consumer}: {args.ReplyText}"
                        : $"Lost the connection to RabbitMQ at {connection.Address} ({open.CloseReason?.ReplyText ?? args.ReplyText}): consumer {consumer} reads queue '{queue.Queue}' again once it is back."));
                }

                return Task.CompletedTask;
            };

            await channel.BasicConsumeAsync(queue.Queue, autoAck: false, reader, cancellationToken).ConfigureAwait(false);
            Log.Consuming(logger, consumer, queue.Queue, queue.Exchange, queue.Source, prefetch);

            // Disposing the channel (after the loop) returns every unacknowledged delivery to the queue.
            await foreach (var delivery in deliveries.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return delivery;
            }
        }
    }

    private ConsumerQueue QueueOf(string source, string consumer) => new(consumer, source, connection.ExchangeFor(source));

    private Dictionary<string, object?> QueueArguments() =>
        connection.Options.QuorumQueues ? new() { ["x-queue-type"] = "quorum" } : [];
}
