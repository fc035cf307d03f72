using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Outbox.Kafka.Connection;
using Outbox.Kafka.Mapping;
using Outbox.Transport;

namespace Outbox.Kafka.Publishing;

/// <summary>
/// Produces a batch through the idempotent producer, every message outstanding at once, and reports each
/// from its own delivery report. The topic is the destination and the partition follows the key, so a
/// key's messages keep their batch order; once one of them is not sent, its key's later ones are reported
/// not sent. A topic that does not exist makes its messages unroutable, a message the brokers refuse (too
/// large, say) fails alone, and a broker out of reach makes the message unavailable.
/// </summary>
internal sealed class KafkaTransport(KafkaClients clients) : ITransport
{
    /// <summary>A key's messages in a batch are delivered in order: one partition, an idempotent producer.</summary>
    public bool KeepsKeyOrderInBatch => true;

    /// <summary>Healthy when the cluster answers a metadata request within two seconds, naming its brokers.</summary>
    public async Task<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var brokers = await Task.Run(() => clients.CountBrokers(TimeSpan.FromSeconds(2)), cancellationToken).ConfigureAwait(false);
            return brokers > 0
                ? HealthCheckResult.Healthy($"{brokers} brokers answer at {clients.Address}.")
                : HealthCheckResult.Unhealthy($"No broker answers at {clients.Address}.");
        }
        catch (Exception ex) when (ex is OutboxException or TransportUnavailableException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    public async ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
    {
        var producer = clients.Producer;
        var results = new SendResult?[batch.Count];
        await MarkMissingTopicsAsync(batch, results).ConfigureAwait(false);

        var reports = new Reports(batch.Count);
        HashSet<string>? stopped = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i];
            if (results[i] is null && !(message.Key is { } key && stopped?.Contains(key) == true))
            {
                var index = i;
                reports.Expect();
                try
                {
                    producer.Produce(message.Destination, KafkaMessage.ToRecord(message), report => reports.Set(index, ResultOf(report.Error, message)));
                    continue;
                }
                catch (ProduceException<byte[]?, byte[]> ex)
                {
                    results[i] = ResultOf(ex.Error, message); // refused before it left the process: too large, say
                    reports.Set(index, results[i]!.Value);
                }
            }

            // Not produced: the key's later messages are not produced either (InKeyOrder reports them).
            if (message.Key is { } failed)
            {
                (stopped ??= new(StringComparer.Ordinal)).Add(failed);
            }
        }

        await reports.AllAsync(cancellationToken).ConfigureAwait(false);
        var final = InKeyOrder(batch, results, reports);
        if (final.Any(r => r.Status == SendStatus.Sent))
        {
            clients.ProducerWorks();
        }

        return final;
    }

    // A key's messages after one that was not sent count as not sent either, whatever their report, so
    // that the dispatcher sends the key's run again from the first one and its order holds.
    private static SendResult[] InKeyOrder(IReadOnlyList<TransportMessage> batch, SendResult?[] results, Reports reports)
    {
        var final = new SendResult[batch.Count];
        Dictionary<string, string>? stopped = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var key = batch[i].Key;
            if (key is not null && stopped?.ContainsKey(key) == true)
            {
                final[i] = SendResult.Failed($"not sent: an earlier message with key '{key}' in this batch was not sent");
                continue;
            }

            final[i] = results[i] ?? reports.Get(i);
            if (key is not null && final[i].Status != SendStatus.Sent)
            {
                (stopped ??= new(StringComparer.Ordinal))[key] = final[i].Error ?? "";
            }
        }

        return final;
    }

    // A topic the cluster does not have is reported at once, rather than after librdkafka's metadata wait.
    private async Task MarkMissingTopicsAsync(IReadOnlyList<TransportMessage> batch, SendResult?[] results)
    {
        foreach (var topic in batch.Select(m => m.Destination).Distinct(StringComparer.Ordinal))
        {
            if (!await clients.TopicExistsAsync(topic, clients.Settings.Options.ConnectionTimeout).ConfigureAwait(false))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (batch[i].Destination == topic)
                    {
                        results[i] = SendResult.Unroutable($"topic '{topic}' does not exist at {clients.Address}");
                    }
                }
            }
        }
    }

    private SendResult ResultOf(Error error, TransportMessage message)
    {
        switch (error.Code)
        {
            case ErrorCode.NoError:
                return SendResult.Sent;
            case ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition:
                clients.Forget(message.Destination);
                return SendResult.Unroutable($"topic '{message.Destination}' does not exist at {clients.Address}");
            case ErrorCode.MsgSizeTooLarge or ErrorCode.InvalidMsg or ErrorCode.InvalidMsgSize
                or ErrorCode.InvalidRecord or ErrorCode.RecordListTooLarge or ErrorCode.TopicAuthorizationFailed
                or ErrorCode.TopicException or ErrorCode.PolicyViolation or ErrorCode.Local_InvalidArg:
                return SendResult.Failed($"Kafka refused the message: {clients.Settings.Redact(error.Reason)} ({error.Code})");
            default:
                return SendResult.Unavailable($"Kafka at {clients.Address}: {clients.Settings.Redact(error.Reason)} ({error.Code})");
        }
    }

    /// <summary>The delivery reports of one batch, filled in by librdkafka's thread as they arrive.</summary>
    private sealed class Reports(int size)
    {
        private readonly SendResult[] _results = new SendResult[size];
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _outstanding = 1; // released by AllAsync, so the task cannot complete while messages are still produced

        /// <summary>One more report to wait for; call it before producing, as the report may come at once.</summary>
        public void Expect() => Interlocked.Increment(ref _outstanding);

        public void Set(int index, SendResult result)
        {
            _results[index] = result;
            Done();
        }

        public SendResult Get(int index) => _results[index];

        public Task AllAsync(CancellationToken cancellationToken)
        {
            Done();
            return _all.Task.WaitAsync(cancellationToken);
        }

        private void Done()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                _all.TrySetResult();
            }
        }
    }
}
