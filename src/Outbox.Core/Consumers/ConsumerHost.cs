using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Dispatching;
using Outbox.Storage;
using Outbox.Telemetry;
using Outbox.Transport;
using Polly;
using Polly.Retry;

namespace Outbox.Consumers;

/// <summary>
/// Reads every consumer's deliveries and runs them through the inbox pipeline: up to
/// <c>MaxConcurrency</c> at a time, one key after another in order, acknowledged only after the commit.
/// A failing handler is retried in process, then redelivered with backoff, then dead-lettered.
/// </summary>
internal sealed class ConsumerHost(
    IEnumerable<ConsumerRegistration> consumers,
    IServiceProvider services,
    IOptions<OutboxOptions> options,
    TimeProvider timeProvider,
    ILogger<ConsumerHost> logger) : BackgroundService
{
    private readonly List<ConsumerRegistration> _consumers = [.. consumers];
    private ResiliencePipeline<InboxOutcome>? _retry;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_consumers.Count > 0)
        {
            var receiver = services.GetService(typeof(IMessageReceiver)) as IMessageReceiver
                ?? throw new InvalidOperationException("Consumers are declared but the transport cannot receive: use a transport with a receive side (UseInMemoryTransport(), UseRabbitMQ(), UseKafka()).");
            if (services.GetService(typeof(IInboxPipeline)) is null)
            {
                throw new InvalidOperationException("Consumers need the inbox: call UseEntityFrameworkCore<TContext>() on the builder AddOutbox returns.");
            }

            foreach (var consumer in _consumers)
            {
                await receiver.DeclareAsync(consumer.Source, consumer.Name, cancellationToken).ConfigureAwait(false);
            }
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_consumers.Select(consumer => ConsumeAsync(consumer, stoppingToken)));

    /// <summary>Runs one delivery to its end: acknowledged, redelivered later, or dead-lettered and acknowledged.</summary>
    internal async Task<InboxOutcome> ProcessAsync(ConsumerRegistration consumer, IDelivery delivery, CancellationToken cancellationToken)
    {
        var message = delivery.Message;
        if (message.Headers.TryGetValue(DeadLetterSources.ConsumerHeader, out var target) && target != consumer.Name)
        {
            // A requeue meant for another consumer of this source.
            await delivery.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
            return InboxOutcome.Duplicate;
        }

        var pipeline = (IInboxPipeline)services.GetService(typeof(IInboxPipeline))!;
        var outcome = await Retry().ExecuteAsync(
            async token => await pipeline.HandleAsync(consumer, delivery, token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

        var settings = options.Value.Consumers;
        var maxDeliveries = consumer.MaxDeliveries ?? settings.MaxDeliveries;
        switch (outcome.Result)
        {
            case InboxResult.Handled:
                OutboxTelemetry.Consumed.Add(1);
                break;
            case InboxResult.Duplicate:
                OutboxTelemetry.Duplicates.Add(1);
                break;
            case InboxResult.Failed when delivery.Attempt < maxDeliveries:
                Log.HandlerFailed(logger, message.MessageId, consumer.Name, delivery.Attempt, outcome.Error);
                var wait = Backoff.ForAttempt(delivery.Attempt, settings.RedeliveryDelay, settings.MaxRedeliveryDelay, Random.Shared.NextDouble());
                await delivery.RedeliverAsync(wait, cancellationToken).ConfigureAwait(false);
                return outcome;
            default:
                var reason = outcome.Result == InboxResult.Failed ? "max-deliveries" : outcome.Reason!;
                Log.DeliveryDeadLettered(logger, message.MessageId, consumer.Name, reason, delivery.Attempt, outcome.Error);
                await StoreOf().DeadLetterDeliveryAsync(message, consumer.Name, reason, delivery.Attempt, outcome.Error, timeProvider.GetUtcNow().UtcDateTime, CancellationToken.None).ConfigureAwait(false);
                OutboxTelemetry.DeadLettered.Add(1);
                break;
        }

        await delivery.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
        return outcome;
    }

    private IOutboxStore StoreOf() => (IOutboxStore)services.GetService(typeof(IOutboxStore))!;

    private async Task ConsumeAsync(ConsumerRegistration consumer, CancellationToken stoppingToken)
    {
        var receiver = (IMessageReceiver)services.GetService(typeof(IMessageReceiver))!;
        var concurrency = consumer.MaxConcurrency ?? options.Value.Consumers.MaxConcurrency;
        var lanes = Enumerable.Range(0, concurrency).Select(_ => Channel.CreateBounded<IDelivery>(16)).ToArray();
        var workers = lanes.Select(lane => RunLaneAsync(consumer, lane.Reader, stoppingToken)).ToList();
        var next = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var failed = false;
            var deliveries = receiver.ReceiveAsync(consumer.Source, consumer.Name, stoppingToken).GetAsyncEnumerator(stoppingToken);
            try
            {
                while (await deliveries.MoveNextAsync().ConfigureAwait(false))
                {
                    // One key always goes to the same lane, so its messages are handled in order.
                    var delivery = deliveries.Current;
                    var lane = delivery.Message.Key is { } key
                        ? (int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)lanes.Length)
                        : next++ % lanes.Length;
                    await lanes[lane].Writer.WriteAsync(delivery, stoppingToken).ConfigureAwait(false);
                }

                failed = !stoppingToken.IsCancellationRequested; // the stream ended by itself
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                // The broker closed the consumer's channel, say: read again after a pause.
                failed = true;
                Log.ReceiveFailed(logger, ex, consumer.Name, options.Value.Consumers.RedeliveryDelay);
            }
            finally
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    // In-flight handlers finish (or give up) and settle their deliveries before the receiver
                    // closes; deliveries not started stay unsettled and the broker delivers them again.
                    foreach (var lane in lanes)
                    {
                        lane.Writer.TryComplete();
                    }

                    await Task.WhenAll(workers).ConfigureAwait(false);
                }

                await deliveries.DisposeAsync().ConfigureAwait(false);
            }

            if (failed)
            {
                try
                {
                    await Task.Delay(options.Value.Consumers.RedeliveryDelay, timeProvider, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task RunLaneAsync(ConsumerRegistration consumer, ChannelReader<IDelivery> lane, CancellationToken stoppingToken)
    {
        await foreach (var delivery in lane.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (stoppingToken.IsCancellationRequested)
            {
                // Not started: left unacknowledged, so the broker delivers it again.
                continue;
            }

            try
            {
                await ProcessAsync(consumer, delivery, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is down, for example: the delivery is not acknowledged and comes back.
                Log.ConsumerError(logger, ex, consumer.Name);
                await delivery.RedeliverAsync(options.Value.Consumers.RedeliveryDelay, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: the delivery stays unacknowledged, so the broker delivers it again.
            }
        }
    }

    private ResiliencePipeline<InboxOutcome> Retry()
    {
        if (_retry is not null)
        {
            return _retry;
        }

        var retry = options.Value.Consumers.Retry;
        var builder = new ResiliencePipelineBuilder<InboxOutcome> { TimeProvider = timeProvider };
        if (retry.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<InboxOutcome>
            {
                MaxRetryAttempts = retry.MaxRetryAttempts,
                Delay = retry.Delay,
                MaxDelay = retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<InboxOutcome>().HandleResult(o => o.Result == InboxResult.Failed),
            });
        }

        return _retry = builder.Build();
    }
}
