using System.Collections.Concurrent;
using Confluent.Kafka;
using Outbox.Transport;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.Kafka.Configuration;
using Outbox.Kafka.Telemetry;

namespace Outbox.Kafka.Connection;

/// <summary>
/// The clients this process shares: one idempotent producer (replaced when librdkafka reports it failed
/// for good) and one admin client, both created on first use, and the topics known to exist.
/// </summary>
internal sealed class KafkaClients(IOptions<KafkaOptions> options, IOptions<OutboxOptions> outbox, KafkaBrokers brokers, ILoggerFactory loggers) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, bool> _topics = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<KafkaClients>();
    private IProducer<byte[]?, byte[]>? _producer;
    private IAdminClient? _admin;
    private volatile bool _producerFailed;
    private ErrorReporter? _producerErrors;
    private ErrorReporter? _adminErrors;

    public KafkaSettings Settings { get; } = new(options.Value, outbox.Value.Dispatch.AttemptTimeout, brokers);

    public ILoggerFactory Loggers => loggers;

    /// <summary>The brokers, for messages.</summary>
    public string Address => brokers.Address;

    /// <summary>The producer; a new one when the last failed for good.</summary>
    /// <exception cref="OutboxException">librdkafka refused the configuration; the message hides secrets.</exception>
    public IProducer<byte[]?, byte[]> Producer
    {
        get
        {
            if (_producer is { } producer && !_producerFailed)
            {
                return producer;
            }

            lock (_gate)
            {
                if (_producer is not null && _producerFailed)
                {
                    _producer.Dispose(); // what it still held was reported failed, and is sent again
                    _producer = null;
                }

                _producerFailed = false;
                return _producer ??= CreateProducer();
            }
        }
    }

    private IAdminClient Admin
    {
        get
        {
            lock (_gate)
            {
                _adminErrors ??= Reporter("admin client");
                return _admin ??= Create("admin client", () => new AdminClientBuilder(Settings.Admin()).SetLogHandler((_, m) => _adminErrors.Native(m)).Build());
            }
        }
    }

    /// <summary>Asks the cluster for its brokers; start-up's check that the brokers answer.</summary>
    /// <exception cref="TransportUnavailableException">The brokers did not answer in time.</exception>
    public int Connect(TimeSpan timeout)
    {
        var brokers = CountBrokers(timeout);
        Log.Connected(_logger, Address, brokers);
        return brokers;
    }

    /// <summary>How many brokers the cluster names in answer to a metadata request; the health check's question.</summary>
    /// <exception cref="TransportUnavailableException">The brokers did not answer in time.</exception>
    public int CountBrokers(TimeSpan timeout) => Ask(admin => admin.GetMetadata(timeout), timeout).Brokers.Count;

    /// <summary>Whether <paramref name="topic"/> exists; a topic once seen is remembered.</summary>
    /// <exception cref="TransportUnavailableException">The brokers did not answer in time.</exception>
    public async Task<bool> TopicExistsAsync(string topic, TimeSpan timeout)
    {
        if (_topics.ContainsKey(topic))
        {
            return true;
        }

        var metadata = await Task.Run(() => Ask(admin => admin.GetMetadata(topic, timeout), timeout)).ConfigureAwait(false);
        var exists = metadata.Topics.Any(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError);
        if (exists)
        {
            _topics.TryAdd(topic, true);
        }

        return exists;
    }

    private Metadata Ask(Func<IAdminClient, Metadata> ask, TimeSpan timeout, IAdminClient? admin = null)
    {
        try
        {
            return ask(admin ?? Admin);
        }
        catch (KafkaException ex) when (ex.Error.Code is ErrorCode.Local_Authentication or ErrorCode.SaslAuthenticationFailed or ErrorCode.ClusterAuthorizationFailed
            or ErrorCode.TopicAuthorizationFailed or ErrorCode.Local_Ssl)
        {
            throw new OutboxException($"Kafka at {Address} refused the client: {Settings.Redact(ex.Error.Reason)}. Check the security settings under Outbox:Kafka:Client.", ex);
        }
        catch (KafkaException ex)
        {
            throw new TransportUnavailableException($"Kafka at {Address} did not answer within {timeout.TotalSeconds:0.#} s: {Settings.Redact(ex.Error.Reason)}. Check Outbox:Kafka:BootstrapServers and that the brokers run.", ex);
        }
    }

    /// <summary>A topic was found missing after it was seen (deleted): ask the cluster again next time.</summary>
    public void Forget(string topic) => _topics.TryRemove(topic, out _);

    /// <summary>
    /// Makes sure <paramref name="topic"/> exists: brokers that create topics on demand
    /// (<c>auto.create.topics.enable</c>, Kafka's default) create it when asked for it; others are asked to
    /// create it with their default partitions and replication.
    /// </summary>
    public async Task EnsureTopicAsync(string topic, string consumer, CancellationToken cancellationToken)
    {
        var timeout = options.Value.ConnectionTimeout;
        if (await TopicExistsAsync(topic, timeout).ConfigureAwait(false))
        {
            return;
        }

        var errors = Reporter("admin client");
        using (var asking = Create("admin client", () => new AdminClientBuilder(Settings.Admin(creatingTopics: true)).SetLogHandler((_, m) => errors.Native(m)).Build()))
        {
            await Task.Run(() => Ask(a => a.GetMetadata(topic, timeout), timeout, asking), cancellationToken).ConfigureAwait(false);
        }

        if (!await TopicExistsAsync(topic, timeout).ConfigureAwait(false))
        {
            await CreateTopicAsync(topic, consumer, timeout, cancellationToken).ConfigureAwait(false);
        }

        Log.TopicCreated(_logger, topic, consumer);
        _topics.TryAdd(topic, true);
    }

    private async Task CreateTopicAsync(string topic, string consumer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Admin.CreateTopicsAsync(
                [new TopicSpecification { Name = topic, NumPartitions = -1, ReplicationFactor = -1 }],
                new CreateTopicsOptions { RequestTimeout = timeout, OperationTimeout = timeout }).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another instance created it first.
        }
        catch (KafkaException ex)
        {
            var error = ex is CreateTopicsException created ? created.Results[0].Error : ex.Error;
            var what = $"Consumer {consumer} reads topic '{topic}', which does not exist and could not be created at {Address}: {Settings.Redact(error.Reason)}.";
            throw error.Code is ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed or ErrorCode.PolicyViolation or ErrorCode.InvalidConfig
                ? new OutboxException($"{what} Create the topic, or allow the outbox to.", ex)
                : new TransportUnavailableException($"{what} The consumer reads it once it exists.", ex);
        }
    }

    public ErrorReporter Reporter(string client) => new(client, _logger);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_producer is { } producer)
            {
                // Messages still queued were not reported sent: their rows stay pending and are sent again.
                producer.Flush(TimeSpan.FromSeconds(1));
                producer.Dispose();
            }

            _admin?.Dispose();
            _producer = null;
            _admin = null;
        }
    }

    /// <summary>The producer delivered a message: its next error is logged again.</summary>
    public void ProducerWorks() => _producerErrors?.Healthy();

    private IProducer<byte[]?, byte[]> CreateProducer()
    {
        var reporter = _producerErrors = Reporter("producer");
        return Create("producer", () => new ProducerBuilder<byte[]?, byte[]>(Settings.Producer())
            .SetErrorHandler((_, error) =>
            {
                if (error.IsFatal)
                {
                    _producerFailed = true;
                    Log.FatalError(_logger, reporter.Client, Settings.Redact(error.Reason));
                }
                else
                {
                    reporter.Report(error);
                }
            })
            .SetLogHandler((_, message) => reporter.Native(message))
            .Build());
    }

    /// <summary>Builds a client, turning a configuration librdkafka refuses into an error that names it without secrets.</summary>
    public T Create<T>(string client, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or KafkaException)
        {
            throw new OutboxException($"Kafka {client} could not be created from Outbox:Kafka: {Settings.Redact(ex.Message)}");
        }
    }
}
