using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
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
/// <c>MaxConcurrency</c> at a time and, with <see cref="ConsumerOrdering.PerKey"/>, one key after another
/// in order, acknowledged only after the commit. A failing handler is retried in process, then tried
/// again after a backoff (in place for an ordered key, through the transport otherwise), then
/// dead-lettered. No fault of the transport or the database ends a consumer: it reads again.
/// </summary>
internal sealed class ConsumerHost(
    IEnumerable<ConsumerRegistration> consumers,
    IServiceProvider services,
    IOutboxStore store,
    IOptions<OutboxOptions> options,
    TimeProvider timeProvider,
    ILogger<ConsumerHost> logger) : BackgroundService
{
    private readonly List<ConsumerRegistration> _consumers = [.. consumers];
    private readonly Dictionary<string, Reading> _reading = new(StringComparer.Ordinal);
    private ResiliencePipeline<InboxOutcome>? _retry;
    private ConsumerDeadLetters? _deadLetters;

    /// <summary>
    /// Each consumer that is not reading, and why, for the health check: its loop has ended, or its last
    /// attempt to read failed and the next has not begun. Empty while every consumer reads.
    /// </summary>
    internal IReadOnlyList<(string Consumer, string Problem)> NotReading()
    {
        var problems = new List<(string, string)>();
        foreach (var consumer in _consumers)
        {
            lock (_reading)
            {
                var problem = (ExecuteTask, _reading.GetValueOrDefault(consumer.Name)) switch
                {
                    (null, _) => "has not started",
                    (_, null) => null, // the host runs ExecuteAsync on a thread of its own once started: about to read
                    (_, { Loop.IsCompleted: true }) => "has stopped",
                    (_, { Failure: { } failure }) => $"cannot read: {failure}",
                    _ => null,
                };
                if (problem is not null)
                {
                    problems.Add((consumer.Name, problem));
                }
            }
        }

        return problems;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_consumers.Count > 0)
        {
            foreach (var consumer in _consumers)
            {
                try
                {
                    await ReceiverOf(consumer).DeclareAsync(consumer.Source, consumer.Name, cancellationToken).ConfigureAwait(false);
                }
                catch (TransportUnavailableException ex) when (!options.Value.RequireBrokerAtStart)
                {
                    // Its reading declares it again, and logs the outage once, until the broker answers.
                    Log.DeclareDeferred(logger, consumer.Name, ex.Message);
                }
            }
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lock (_reading)
        {
            foreach (var consumer in _consumers)
            {
                var reading = _reading[consumer.Name] = new Reading();
                reading.Loop = ConsumeAsync(consumer, reading, stoppingToken);
            }

            return Task.WhenAll(_reading.Values.Select(r => r.Loop!));
        }
    }

    /// <summary>
    /// Runs one attempt of a delivery: acknowledged, redelivered through the transport later, dead-lettered
    /// and acknowledged, or, for a key ordered per key, kept unsettled to be tried again in place after
    /// <see cref="Processed.RetryAfter"/>. Settling never throws: a delivery the transport cannot settle is
    /// logged and comes back from the transport.
    /// </summary>
    internal async Task<Processed> ProcessAsync(ConsumerRegistration consumer, IDelivery delivery, CancellationToken cancellationToken)
    {
        var message = delivery.Message;
        if (message.TargetConsumer is { } target && target != consumer.Name)
        {
            if (_consumers.Exists(c => c.Name == target))
            {
                // A requeue meant for another consumer of this service, from a transport that could not target it.
                Log.DeliveryForAnotherConsumer(logger, consumer.Name, message.MessageId, target);
                await SettleAsync(consumer, delivery, d => d.AcknowledgeAsync(cancellationToken)).ConfigureAwait(false);
                return new Processed(InboxOutcome.Duplicate);
            }

            // No consumer of this service has that name: not a requeue the outbox wrote, so not a reason to skip it.
            Log.UnknownTargetConsumerIgnored(logger, consumer.Name, message.MessageId);
        }

        using var activity = StartActivity(consumer, message);
        if (message.Defect is { } defect)
        {
            var rejected = InboxOutcome.Rejected("invalid-message", defect);
            activity?.SetStatus(ActivityStatusCode.Error, defect);
            await DeadLetters().WriteAsync(consumer, delivery, rejected, numbered: null).ConfigureAwait(false);
            await SettleAsync(consumer, delivery, d => d.AcknowledgeAsync(CancellationToken.None)).ConfigureAwait(false);
            return new Processed(rejected);
        }

        IncomingMessage.Current = message;

        var pipeline = services.GetRequiredService<IInboxPipeline>();
        var outcome = await Retry().ExecuteAsync(
            async token => await pipeline.HandleAsync(consumer, delivery, token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

        var settings = options.Value.Consumers;
        var maxDeliveries = consumer.MaxDeliveries ?? settings.MaxDeliveries;
        var numbered = SequenceCheck.Of(consumer, message, settings);
        switch (outcome.Result)
        {
            case InboxResult.Handled:
                OutboxTelemetry.Consumed.Add(1);
                if (outcome.Sequence is { } sequence)
                {
                    SequenceReport.Report(logger, consumer, numbered!.Value, sequence);
                }

                break;
            case InboxResult.Duplicate:
                OutboxTelemetry.Duplicates.Add(1);
                break;
            case InboxResult.Held:
                // Not a failure: kept unsettled and looked at again in place, without an attempt counted.
                if (outcome.Hold!.Value.First)
                {
                    SequenceReport.Held(logger, consumer, numbered!.Value, outcome.Sequence!.Value, settings.SequenceHoldTimeout);
                }

                return new Processed(outcome, outcome.Hold.Value.CheckAgainAfter);
            case InboxResult.Failed when delivery.Attempt < maxDeliveries:
                activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
                var wait = Backoff.ForAttempt(delivery.Attempt, settings.RedeliveryDelay, settings.MaxRedeliveryDelay, Random.Shared.NextDouble());
                Log.HandlerFailed(logger, outcome.Exception, message.MessageId, consumer.Name, delivery.Attempt, wait);
                if (KeepsOrder(consumer, delivery))
                {
                    return new Processed(outcome, wait);
                }

                await SettleAsync(consumer, delivery, d => d.RedeliverAsync(wait, cancellationToken)).ConfigureAwait(false);
                return new Processed(outcome);
            default:
                activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
                await DeadLetters().WriteAsync(consumer, delivery, outcome, numbered).ConfigureAwait(false);
                break;
        }

        await SettleAsync(consumer, delivery, d => d.AcknowledgeAsync(CancellationToken.None)).ConfigureAwait(false);
        return new Processed(outcome);
    }

    // A consumer span in the publisher's trace; without a listener, an activity all the same when the
    // message carries a trace, so that what the handler publishes continues it.
    private static Activity? StartActivity(ConsumerRegistration consumer, TransportMessage message)
    {
        var name = $"{consumer.Source} process";
        var parent = TraceHeaders.Read(message.Headers);
        var activity = OutboxTelemetry.Source.StartActivity(name, ActivityKind.Consumer, parent)
            ?? (parent == default ? null : new Activity(name).SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags).Start());
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.destination.name", consumer.Source);
        activity?.SetTag("messaging.consumer.group.name", consumer.Name);
        activity?.SetTag("messaging.message.id", message.MessageId.ToString());
        return activity;
    }

    // The default transport's receiver is the IMessageReceiver service; a consumer may name another transport.
    private IMessageReceiver ReceiverOf(ConsumerRegistration consumer) => consumer.Transport is null
        ? services.GetRequiredService<IMessageReceiver>()
        : services.GetRequiredService<OutboxTransports>().ReceiverOf(consumer.Transport)
            ?? throw new InvalidOperationException($"Consumer '{consumer.Name}' reads from the transport '{consumer.Transport}', which cannot receive.");

    private ConsumerDeadLetters DeadLetters() =>
        _deadLetters ??= new ConsumerDeadLetters(store, timeProvider, logger);

    private bool KeepsOrder(ConsumerRegistration consumer, IDelivery delivery) =>
        delivery.Message.Key is not null && OrderingOf(consumer) == ConsumerOrdering.PerKey;

    private ConsumerOrdering OrderingOf(ConsumerRegistration consumer) => consumer.Ordering ?? options.Value.Consumers.Ordering;

    // The transport's channel may be gone (the broker restarted, say): its deliveries come back anyway.
    private async Task SettleAsync(ConsumerRegistration consumer, IDelivery delivery, Func<IDelivery, ValueTask> settle)
    {
        try
        {
            await settle(delivery).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.SettleFailed(logger, ex, consumer.Name, delivery.Message.MessageId);
        }
    }

    private async Task ConsumeAsync(ConsumerRegistration consumer, Reading reading, CancellationToken stoppingToken)
    {
        var receiver = ReceiverOf(consumer);
        using var gate = new StoreGate(new OutageLog(logger, $"Consumer {consumer.Name}", timeProvider), timeProvider, options.Value.Consumers.RedeliveryDelay);
        using var scheduler = new DeliveryScheduler(
            consumer.MaxConcurrency ?? options.Value.Consumers.MaxConcurrency,
            OrderingOf(consumer) == ConsumerOrdering.PerKey,
            (delivery, token) => RunAsync(consumer, gate, delivery, token),
            timeProvider,
            logger,
            stoppingToken);
        var receiving = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            Exception? failure = null;
            reading.Failure = null;
            var deliveries = receiver.ReceiveAsync(consumer.Source, consumer.Name, stoppingToken).GetAsyncEnumerator(stoppingToken);
            try
            {
                while (await deliveries.MoveNextAsync().ConfigureAwait(false))
                {
                    if (!receiving)
                    {
                        receiving = true;
                        Log.ReceivingAgain(logger, consumer.Name);
                    }

                    var checkedDelivery = DeliveryCheck.Inspect(deliveries.Current, consumer.Name, consumer.MaxDeliveries ?? options.Value.Consumers.MaxDeliveries, options.Value.MaxPayloadBytes, logger);
                    await scheduler.EnqueueAsync(checkedDelivery, stoppingToken).ConfigureAwait(false);
                }

                if (!stoppingToken.IsCancellationRequested)
                {
                    failure = new OutboxException($"The transport ended the deliveries of consumer {consumer.Name}.");
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                failure = ex; // the broker closed the consumer's channel, or cannot be reached
            }
            finally
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    // In-flight handlers finish (or give up) and settle their deliveries before the receiver
                    // closes; deliveries not started stay unsettled and the transport delivers them again.
                    await scheduler.DrainAsync().ConfigureAwait(false);
                }

                await DisposeQuietlyAsync(consumer, deliveries).ConfigureAwait(false);
            }

            if (failure is not null)
            {
                reading.Failure = failure.Message;
                var delay = options.Value.Consumers.RedeliveryDelay;
                if (receiving)
                {
                    receiving = false;
                    Log.ReceiveFailed(logger, failure, consumer.Name, delay);
                }
                else
                {
                    Log.ReceiveStillFailing(logger, consumer.Name, failure.Message);
                }

                try
                {
                    await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    // One attempt of a delivery, for the scheduler: whatever happens, it returns. A failure that is not the
    // message's (the database is down, say: nothing was committed) keeps the delivery here, unsettled and
    // without an attempt counted, waiting at the consumer's gate until the database answers.
    private async Task<DeliveryRetry?> RunAsync(ConsumerRegistration consumer, StoreGate gate, IDelivery delivery, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await gate.EnterAsync(stoppingToken).ConfigureAwait(false);
                var processed = await ProcessAsync(consumer, delivery, stoppingToken).ConfigureAwait(false);
                gate.Answered();
                return processed.RetryAfter is not { } wait ? null
                    : processed.Outcome.Result == InboxResult.Held ? new DeliveryRetry(delivery, wait) // held: the same attempt
                    : new DeliveryRetry(new RetriedDelivery(delivery), wait);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return null; // stopping: the delivery stays unsettled and the transport delivers it again
            }
            catch (Exception ex)
            {
                gate.Failed(ex);
            }
        }
    }

    private async Task DisposeQuietlyAsync(ConsumerRegistration consumer, IAsyncEnumerator<IDelivery> deliveries)
    {
        try
        {
            await deliveries.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ReceiveStillFailing(logger, consumer.Name, ex.Message);
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
            builder.AddRetry(retry.ToPolly<RetryStrategyOptions<InboxOutcome>, InboxOutcome>(new RetryStrategyOptions<InboxOutcome>
            {
                ShouldHandle = new PredicateBuilder<InboxOutcome>().HandleResult(o => o.Result == InboxResult.Failed),
            }));
        }

        return _retry = builder.Build();
    }

    private sealed class Reading
    {
        public Task? Loop { get; set; }

        public string? Failure { get; set; }
    }
}
