using System.Runtime.CompilerServices;
using Outbox.Kafka.Connection;
using Outbox.Transport;

namespace Outbox.Kafka.Consuming;

/// <summary>
/// Feeds a consumer from its source topic, in a consumer group named after the consumer: instances of one
/// consumer share the topic's partitions, and every consumer gets every message. Declaring a consumer
/// creates its topic when the cluster does not have it.
/// </summary>
internal sealed class KafkaReceiver(KafkaClients clients, TimeProvider timeProvider) : IMessageReceiver
{
    public ValueTask DeclareAsync(string source, string consumer, CancellationToken cancellationToken) =>
        new(clients.EnsureTopicAsync(source, consumer, cancellationToken));

    public async IAsyncEnumerable<IDelivery> ReceiveAsync(string source, string consumer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reading = new KafkaReading(clients, source, consumer, timeProvider);
        await using (reading.ConfigureAwait(false))
        {
            reading.Start();
            await foreach (var delivery in reading.Deliveries.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return delivery;
            }
        }
    }
}
