using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Outbox.Kafka.Configuration;
using Outbox.Kafka.Connection;
using Outbox.Kafka.Mapping;
using Outbox.Kafka.Telemetry;
using Outbox.Transport;

namespace Outbox.Kafka.Consuming;

/// <summary>
/// One read of a consumer's topic: a consumer in the group named after the consumer, polled on a thread of
/// its own, which hands records out as deliveries and commits, per partition, the offset before the first
/// unfinished one (at most every <see cref="CommitInterval"/>, when partitions are taken away, and when the
/// read ends). It pauses fetching while too many deliveries are unfinished.
/// </summary>
internal sealed class KafkaReading : IAsyncDisposable
{
    /// <summary>The longest a finished offset waits before it is committed.</summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Channel<IDelivery> _deliveries = Channel.CreateUnbounded<IDelivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<TopicPartition, PartitionTracker> _partitions = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly KafkaClients _clients;
    private readonly string _source;
    private readonly string _consumer;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ErrorReporter _reporter;
    private Task _loop = Task.CompletedTask;
    private volatile bool _commitDue;
    private volatile string? _fatal;
    private long _lastCommit;
    private bool _paused;

    public KafkaReading(KafkaClients clients, string source, string consumer, TimeProvider timeProvider)
    {
        _clients = clients;
        _source = source;
        _consumer = consumer;
        _timeProvider = timeProvider;
        _logger = clients.Loggers.CreateLogger<KafkaReading>();
        _reporter = clients.Reporter($"consumer {consumer}");
    }

    /// <summary>The deliveries; the stream ends with an error when the consumer failed for good.</summary>
    public ChannelReader<IDelivery> Deliveries => _deliveries.Reader;

    public void Start() => _loop = Task.Factory.StartNew(Poll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Finish(KafkaDelivery delivery)
    {
        if (delivery.Partition.Finish(delivery.Offset))
        {
            _commitDue = true;
        }
    }

    public void Redeliver(KafkaDelivery delivery, TimeSpan delay)
    {
        if (delivery.Partition.IsRevoked || _stop.IsCancellationRequested)
        {
            return; // the partition's next owner, or the next read, gets the record from the committed offset
        }

        _ = Task.Delay(delay, _timeProvider, _stop.Token).ContinueWith(
            _ =>
            {
                if (!delivery.Partition.IsRevoked)
                {
                    _deliveries.Writer.TryWrite(new KafkaDelivery(delivery.Message, delivery.Attempt + 1, delivery.Offset, delivery.Partition, this));
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Poll()
    {
        IConsumer<byte[]?, byte[]?> consumer;
        try
        {
            consumer = _clients.Create($"consumer {_consumer}", () => new ConsumerBuilder<byte[]?, byte[]?>(_clients.Settings.Consumer(_consumer))
                .SetErrorHandler((_, error) => OnError(error))
                .SetLogHandler((_, message) => _reporter.Native(message))
                .SetPartitionsAssignedHandler((_, partitions) => Assigned(partitions))
                .SetPartitionsRevokedHandler((c, partitions) => Revoked(c, partitions, commit: true))
                .SetPartitionsLostHandler((c, partitions) => Revoked(c, partitions, commit: false))
                .Build());
        }
        catch (Exception ex)
        {
            _deliveries.Writer.TryComplete(ex);
            return;
        }

        Exception? failure = null;
        try
        {
            consumer.Subscribe(_source);
            Log.Consuming(_logger, _consumer, _source, _consumer);
            while (!_stop.IsCancellationRequested && _fatal is null)
            {
                Commit(consumer, force: false);
                Throttle(consumer);
                try
                {
                    if (consumer.Consume(PollTimeout) is { } record)
                    {
                        _reporter.Healthy();
                        Hand(record);
                    }
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    _reporter.Report(ex.Error); // the topic is not there yet, say: librdkafka asks again
                }
            }

            if (_fatal is { } reason)
            {
                failure = new OutboxException($"Kafka consumer {_consumer} failed for good: {reason}");
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            try
            {
                Commit(consumer, force: true);
                consumer.Close(); // leaves the group: the partitions' revocation commits what is finished
            }
            catch (Exception ex) when (ex is KafkaException or ObjectDisposedException)
            {
                Log.CommitFailed(_logger, _consumer, _clients.Settings.Redact(ex.Message));
            }

            consumer.Dispose();
            _deliveries.Writer.TryComplete(failure);
        }
    }

    private void Hand(ConsumeResult<byte[]?, byte[]?> record)
    {
        if (!_partitions.TryGetValue(record.TopicPartition, out var partition))
        {
            _partitions[record.TopicPartition] = partition = new PartitionTracker();
        }

        partition.Received(record.Offset.Value);
        TransportMessage message;
        try
        {
            message = KafkaMessage.FromRecord(record, out var hasMessageId);
            if (!hasMessageId)
            {
                Log.MissingMessageId(_logger, _consumer, record.Topic, record.Partition.Value, record.Offset.Value);
            }
        }
        catch (Exception ex)
        {
            // Whatever a producer wrote, the record is handed on, to be set aside with the reason.
            message = KafkaMessage.Unreadable(record, ex);
        }

        _deliveries.Writer.TryWrite(new KafkaDelivery(message, 1, record.Offset.Value, partition, this));
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, bool force) => Commit(consumer, _partitions.Keys, force);

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<TopicPartition> partitions, bool force)
    {
        // Paced on the machine's clock, not the TimeProvider: it spaces out requests, it is no delay of the
        // outbox's, and a commit must not wait for a test's clock to move.
        if (!force && (!_commitDue || Environment.TickCount64 - _lastCommit < CommitInterval.TotalMilliseconds))
        {
            return;
        }

        _commitDue = false;
        _lastCommit = Environment.TickCount64;
        var offsets = new List<(TopicPartitionOffset Offset, PartitionTracker Partition)>();
        foreach (var partition in partitions)
        {
            if (_partitions.TryGetValue(partition, out var tracker) && tracker.TakeCommit() is { } position)
            {
                offsets.Add((new TopicPartitionOffset(partition, position), tracker));
            }
        }

        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets.ConvertAll(o => o.Offset));
        }
        catch (KafkaException ex)
        {
            foreach (var (offset, tracker) in offsets)
            {
                tracker.CommitFailed(offset.Offset.Value);
            }

            _commitDue = true;
            Log.CommitFailed(_logger, _consumer, _clients.Settings.Redact(ex.Error.Reason));
        }
    }

    // Fetching stops while too much is unfinished (handlers slower than the topic), and resumes at half.
    private void Throttle(IConsumer<byte[]?, byte[]?> consumer)
    {
        var unfinished = _partitions.Values.Sum(p => p.Unfinished);
        if (!_paused && unfinished >= KafkaDefaults.MaxUnfinished)
        {
            consumer.Pause(consumer.Assignment);
            _paused = true;
        }
        else if (_paused && unfinished < KafkaDefaults.MaxUnfinished / 2)
        {
            consumer.Resume(consumer.Assignment);
            _paused = false;
        }
    }

    private void Assigned(List<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _partitions[partition] = new PartitionTracker();
        }

        _paused = false;
        Log.Assigned(_logger, _consumer, _source, string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    // Eager rebalancing takes every partition away before assigning again; what was finished is committed
    // first (unless the partitions were lost: another consumer may own them already), and what was not is
    // read again by the next owner, whose inbox absorbs what this one handles meanwhile.
    private void Revoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions, bool commit)
    {
        var taken = partitions.ConvertAll(p => p.TopicPartition);
        if (commit)
        {
            Commit(consumer, taken, force: true);
        }

        foreach (var partition in taken)
        {
            if (_partitions.Remove(partition, out var tracker))
            {
                tracker.Revoke();
            }
        }

        Log.Revoked(_logger, _consumer, _source, string.Join(", ", taken.Select(p => p.Partition.Value)), commit ? "rebalance" : "lost");
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            _fatal = _clients.Settings.Redact(error.Reason);
            Log.FatalError(_logger, _reporter.Client, _fatal);
        }
        else
        {
            _reporter.Report(error);
        }
    }
}
