using Outbox.Transport;

namespace Outbox.Kafka.Consuming;

/// <summary>
/// One record of a partition. Acknowledging finishes its offset, which lets the partition's committed
/// offset move past it; redelivering keeps the offset unfinished and hands the record to the consumer again
/// after the delay, with the attempt counted. Both do nothing once the partition was taken away.
/// </summary>
internal sealed class KafkaDelivery(TransportMessage message, int attempt, long offset, PartitionTracker partition, KafkaReading reading) : IDelivery
{
    public TransportMessage Message { get; } = message;

    public int Attempt { get; } = attempt;

    public long Offset { get; } = offset;

    public PartitionTracker Partition { get; } = partition;

    public ValueTask AcknowledgeAsync(CancellationToken cancellationToken)
    {
        reading.Finish(this);
        return ValueTask.CompletedTask;
    }

    public ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        reading.Redeliver(this, delay);
        return ValueTask.CompletedTask;
    }
}
