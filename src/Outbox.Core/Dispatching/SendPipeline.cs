using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outbox.Serialization;
using Outbox.Storage;
using Outbox.Telemetry;
using Outbox.Transport;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Outbox.Dispatching;

/// <summary>
/// Sends a batch through the transport inside the Polly pipeline and reports a result per row. The circuit
/// breaker's opening is logged once per outage, with the exception that opened it, and its closing wakes
/// the poller, so that what waited during the outage goes out at once.
/// </summary>
internal sealed class SendPipeline
{
    private readonly ITransport _transport;
    private readonly string _contentType;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TimeSpan _breakDuration;
    private long _halfOpenAt;

    // 1 from the failure that found the transport unreachable until a send goes: that outage was logged.
    private int _outage;

    public SendPipeline(
        ITransport transport,
        IMessageSerializer serializer,
        IOptions<OutboxOptions> options,
        TimeProvider timeProvider,
        DispatchSignal? signal = null,
        ILogger<SendPipeline>? logger = null)
    {
        _transport = transport;
        _contentType = serializer.ContentType;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger<SendPipeline>.Instance;
        var retry = options.Value.Dispatch.Retry;
        var breaker = options.Value.Dispatch.CircuitBreaker;
        _breakDuration = breaker.BreakDuration;
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (retry.MaxRetryAttempts > 0)
        {
            builder.AddRetry(retry.ToPolly<RetryStrategyOptions, object>(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not BrokenCircuitException and not OperationCanceledException),
            }));
        }

        // Only the transport failing counts toward the breaker: a message the broker rejected says nothing
        // about the broker, and must not hold back every other key.
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = breaker.FailureRatio,
            MinimumThroughput = breaker.MinimumThroughput,
            SamplingDuration = breaker.SamplingDuration,
            BreakDuration = breaker.BreakDuration,
            StateProvider = _circuit,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException and not MessagesRejectedException),
            OnOpened = args =>
            {
                Interlocked.Exchange(ref _halfOpenAt, (_timeProvider.GetUtcNow() + args.BreakDuration).UtcTicks);
                if (OutageStarts())
                {
                    Log.CircuitOpened(_logger, args.Outcome.Exception, args.BreakDuration);
                }

                signal?.Wake(); // the poller then waits out the break
                return default;
            },
            OnClosed = _ =>
            {
                if (OutageEnds())
                {
                    Log.CircuitClosed(_logger);
                }

                signal?.Wake();
                return default;
            },
        });
        builder.AddTimeout(options.Value.Dispatch.AttemptTimeout);
        _pipeline = builder.Build();
    }

    /// <summary>
    /// Marks the transport unreachable: <see langword="true"/> for the failure that starts an outage, which
    /// its caller logs as the outage's one warning (a failed send, or the circuit opening, whichever comes
    /// first); <see langword="false"/> inside one.
    /// </summary>
    public bool OutageStarts() => Interlocked.Exchange(ref _outage, 1) == 0;

    /// <summary>Marks the transport reachable: <see langword="true"/> when that ends an outage, which its caller logs in one line.</summary>
    public bool OutageEnds() => Interlocked.Exchange(ref _outage, 0) == 1;

    /// <summary>Whether a batch may hold several rows of one key: see <see cref="ITransport.KeepsKeyOrderInBatch"/>.</summary>
    public bool KeepsKeyOrderInBatch => _transport.KeepsKeyOrderInBatch;

    /// <summary>Whether sends are currently refused because the broker looked down.</summary>
    public bool IsCircuitOpen => _circuit.CircuitState is CircuitState.Open or CircuitState.Isolated;

    /// <summary>
    /// How long from <paramref name="now"/> sends stay refused, or <see langword="null"/> when the next send
    /// may go: the circuit is closed, or its break is over and that send tries the broker. While that try
    /// is under way the circuit refuses others; its outcome wakes the poller.
    /// </summary>
    public TimeSpan? RefusedFor(DateTimeOffset now)
    {
        var halfOpenAt = new DateTimeOffset(Interlocked.Read(ref _halfOpenAt), TimeSpan.Zero);
        return _circuit.CircuitState switch
        {
            CircuitState.Closed => null,
            CircuitState.Open when halfOpenAt <= now => null,
            CircuitState.Open => halfOpenAt - now,
            _ => _breakDuration,
        };
    }

    public async Task<RelayResult[]> SendAsync(IReadOnlyList<StoredMessage> records, CancellationToken cancellationToken)
    {
        var results = new RelayResult[records.Count];
        var pending = Enumerable.Range(0, records.Count).ToList();
        var started = _timeProvider.GetTimestamp();
        using var activity = StartActivity(records);
        try
        {
            await _pipeline.ExecuteAsync(
                async token =>
                {
                    var batch = pending.ConvertAll(i => TransportMessages.From(records[i], _contentType));
                    var sent = await _transport.SendAsync(batch, token).ConfigureAwait(false);
                    if (sent.Count != batch.Count)
                    {
                        throw new InvalidOperationException($"The transport returned {sent.Count} results for {batch.Count} messages.");
                    }

                    var stillPending = new List<int>();
                    var unavailable = false;
                    for (var j = 0; j < sent.Count; j++)
                    {
                        var result = sent[j];
                        results[pending[j]] = result.Status switch
                        {
                            SendStatus.Sent => new RelayResult(RelayStatus.Sent),
                            SendStatus.Unavailable => new RelayResult(RelayStatus.Unreachable, Describe(result)),
                            _ => new RelayResult(RelayStatus.Failed, Describe(result)),
                        };
                        if (result.Status != SendStatus.Sent)
                        {
                            stillPending.Add(pending[j]);
                            unavailable |= result.Status == SendStatus.Unavailable;
                        }
                    }

                    pending = stillPending;
                    if (pending.Count > 0)
                    {
                        var error = results[pending[0]].Error!;
                        throw unavailable ? new TransportUnavailableException(error) : new MessagesRejectedException(error);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException)
        {
            foreach (var i in pending)
            {
                results[i] = new RelayResult(RelayStatus.Deferred, "The transport circuit is open.");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Per-message answers keep their own reasons. A thrown exception (the transport, or the time
            // limit) says the broker could not be reached: it is the reason for the rest.
            var answered = ex is MessagesRejectedException or TransportUnavailableException;
            foreach (var i in pending.Where(i => !answered || results[i].Status is not (RelayStatus.Failed or RelayStatus.Unreachable)))
            {
                results[i] = new RelayResult(RelayStatus.Unreachable, ex.Message, ex);
            }
        }
        finally
        {
            OutboxTelemetry.SendDuration.Record(_timeProvider.GetElapsedTime(started).TotalMilliseconds);
        }

        activity?.SetStatus(pending.Count == 0 ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        return results;
    }

    private static string Describe(SendResult result) => result.Status == SendStatus.Unroutable
        ? $"unroutable: {result.Error ?? "no destination accepted the message"}"
        : result.Error ?? "the transport reported a failure";

    private static Activity? StartActivity(IReadOnlyList<StoredMessage> records)
    {
        if (!OutboxTelemetry.Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>(records.Count);
        foreach (var record in records)
        {
            var published = TraceHeaders.Read(record.Headers);
            if (published != default)
            {
                links.Add(new ActivityLink(published));
            }
        }

        var activity = OutboxTelemetry.Source.StartActivity(ActivityKind.Producer, links: links, name: "outbox send");
        activity?.SetTag("messaging.batch.message_count", records.Count);
        return activity;
    }

    /// <summary>Some messages were rejected one by one; the transport itself works.</summary>
    private sealed class MessagesRejectedException(string message) : Exception(message);

    /// <summary>The transport answered that the broker could not be reached for some messages.</summary>
    private sealed class TransportUnavailableException(string message) : Exception(message);
}
