using Microsoft.Extensions.Logging;
using Outbox.RabbitMQ.Connection;
using Outbox.RabbitMQ.Mapping;
using Outbox.RabbitMQ.Telemetry;
using Outbox.Transport;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Outbox.RabbitMQ.Consuming;

/// <summary>
/// One delivery from a consumer's queue. Acknowledged on the channel it came from; delayed by
/// publishing a copy to the queue's delay queue (which dead-letters it back after its expiration)
/// and then acknowledging, so the queue keeps moving meanwhile.
/// </summary>
internal sealed class RabbitMQDelivery(
    IChannel channel,
    ulong deliveryTag,
    TransportMessage message,
    int attempt,
    ConsumerQueue queue,
    RabbitMQConnection connection,
    ILogger logger) : IDelivery
{
    public TransportMessage Message { get; } = message;

    public int Attempt { get; } = attempt;

    // A channel that went down after the commit gives the message back to the queue; the inbox recognises it.
    public ValueTask AcknowledgeAsync(CancellationToken cancellationToken) =>
        new(SettleAsync(() => channel.BasicAckAsync(deliveryTag, multiple: false, cancellationToken)));

    public async ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            var publisher = await connection.GetPublisherAsync(cancellationToken).ConfigureAwait(false);
            var properties = AmqpMessage.ToProperties(Message, Attempt + 1);
            properties.Expiration = ((long)Math.Max(0, delay.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await publisher.BasicPublishAsync("", queue.DelayQueue, mandatory: true, properties, Message.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.DelayFailed(logger, ex, Message.MessageId.ToString(), queue.Consumer);
            await SettleAsync(() => channel.BasicNackAsync(deliveryTag, multiple: false, requeue: true, CancellationToken.None)).ConfigureAwait(false);
            return;
        }

        await AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
    }

    // Unacknowledged deliveries of a closed channel go back to the queue anyway, and the inbox absorbs
    // the ones already handled: a channel that closed, was closed by the broker, or was disposed when
    // its consumer's stream ended is expected after a broker restart, not a failure.
    private async Task SettleAsync(Func<ValueTask> settle)
    {
        try
        {
            await settle().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            Log.SettleOnClosedChannel(logger, Message.MessageId.ToString(), queue.Consumer, ex.GetType().Name);
        }
    }
}
