using Microsoft.Extensions.Diagnostics.HealthChecks;
using Outbox.RabbitMQ.Connection;
using Outbox.RabbitMQ.Consuming;
using Outbox.RabbitMQ.Mapping;
using Outbox.Transport;
using RabbitMQ.Client.Exceptions;

namespace Outbox.RabbitMQ.Publishing;

/// <summary>
/// Publishes a batch on one channel: every message persistent and <c>mandatory</c>, to the exchange of
/// its destination (a message for one consumer only, to that consumer's queue), in the batch's order,
/// all of them outstanding at once, then their confirmations awaited together. A <c>basic.return</c> makes the
/// message unroutable and a <c>basic.nack</c> failed, for that message only; a closed channel or a lost
/// connection makes it unavailable, which counts toward the circuit breaker, and the next batch goes
/// through a new channel.
/// </summary>
internal sealed class RabbitMQTransport(RabbitMQConnection connection) : ITransport
{
    /// <summary>
    /// A batch's messages are published in its order on one channel, so each queue receives a key's
    /// messages in that order; one that is lost with the connection loses every later one with it.
    /// </summary>
    public bool KeepsKeyOrderInBatch => true;

    /// <summary>Healthy while the connection is open; otherwise it is opened (at most once per <c>RecoveryInterval</c>) and Unhealthy if it cannot be.</summary>
    public async Task<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await connection.GetAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Connected to {connection.Address}.");
        }
        catch (Exception ex) when (ex is OutboxException or TransportUnavailableException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    public async ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
    {
        var channel = await connection.GetPublisherAsync(cancellationToken).ConfigureAwait(false);
        var refused = await DeclareExchangesAsync(batch, cancellationToken).ConfigureAwait(false);

        // The publishes start in the batch's order on one channel, which writes them in that order; only
        // the confirmations are awaited together.
        var sends = new Task?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            if (!refused.ContainsKey(ExchangeOf(batch[i])))
            {
                sends[i] = PublishAsync(batch[i]);
            }
        }

        var results = new SendResult[batch.Count];
        var unanswered = false;
        try
        {
            for (var i = 0; i < sends.Length; i++)
            {
                results[i] = sends[i] is { } send
                    ? await ResultOf(send.WaitAsync(cancellationToken), batch[i]).ConfigureAwait(false)
                    : SendResult.Unavailable(refused[ExchangeOf(batch[i])]);
                unanswered |= sends[i] is not null && results[i].Status == SendStatus.Unavailable;
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
                    _ = send?.ContinueWith(static s => s.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }
        }

        return results;

        // The publishes themselves are never cancelled (a publish cancelled while it waits its turn can
        // leave the channel's confirmation tracking inconsistent); only the wait for them is.
        Task PublishAsync(TransportMessage message) => channel.BasicPublishAsync(
            ExchangeOf(message),
            message.TargetConsumer is { } consumer ? ConsumerQueue.QueueOf(consumer) : message.Destination,
            mandatory: true,
            AmqpMessage.ToProperties(message),
            message.Body,
            CancellationToken.None).AsTask();
    }

    // The exchange a message is published to: for one consumer only, the default exchange (""), which
    // routes it to the queue named after that consumer.
    private string ExchangeOf(TransportMessage message) => message.TargetConsumer is null ? connection.ExchangeFor(message.Destination) : "";

    /// <summary>
    /// Declares the batch's exchanges (once per connection) before any of its messages is published, so
    /// that none waits for a declaration behind a later one. Returns the exchanges that could not be
    /// declared, with the reason: their messages are not published.
    /// </summary>
    private async Task<Dictionary<string, string>> DeclareExchangesAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
    {
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var exchange in batch.Where(m => m.TargetConsumer is null).Select(ExchangeOf).Distinct(StringComparer.Ordinal))
        {
            try
            {
                await connection.DeclareExchangeAsync(exchange, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                refused[exchange] = ex is OutboxException or TransportUnavailableException ? ex.Message : $"RabbitMQ at {connection.Address}: {ex.Message}";
            }
        }

        return refused;
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
