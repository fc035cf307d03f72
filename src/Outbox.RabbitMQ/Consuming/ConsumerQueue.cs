namespace Outbox.RabbitMQ.Consuming;

/// <summary>The queues of one consumer: its own queue, named after it, and the queue its delayed redeliveries wait in.</summary>
/// <param name="Consumer">The consumer name, which is also its queue's name.</param>
/// <param name="Source">The destination it reads: the routing key its queue is bound with.</param>
/// <param name="Exchange">The exchange its queue is bound to.</param>
internal sealed record ConsumerQueue(string Consumer, string Source, string Exchange)
{
    public string Queue => QueueOf(Consumer);

    public string DelayQueue => Consumer + ".delay";

    /// <summary>The queue a consumer reads: named after it.</summary>
    public static string QueueOf(string consumer) => consumer;
}
