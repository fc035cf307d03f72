using System.Diagnostics;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Outbox.Benchmarks;

/// <summary>
/// The baseline of section 7: the same rate published straight to a queue with RabbitMQ.Client (persistent,
/// <c>mandatory</c>, each publish awaiting its confirmation, as the relay's) and read by a plain consumer in
/// the same process that acknowledges each message, with no database on either side. Latency runs from the
/// publish call to the consumer's callback: the broker's part of the outbox's way, and this machine's floor.
/// </summary>
internal static class RawRabbitMQLatency
{
    private const string Queue = "bench-latency-raw";

    public static async Task<LatencyRun> MeasureAsync(string uri, int messagesPerSecond, int seconds, int writers)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(true, true, outstandingPublisherConfirmationsRateLimiter: null));
        await using var reading = await connection.CreateChannelAsync();
        await reading.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        await reading.QueuePurgeAsync(Queue);
        await reading.BasicQosAsync(0, 100, global: false);

        var arrivals = Channel.CreateUnbounded<Guid>();
        var consumer = new AsyncEventingBasicConsumer(reading);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            arrivals.Writer.TryWrite(Guid.Parse(delivery.BasicProperties.MessageId!));
            await reading.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await reading.BasicConsumeAsync(Queue, autoAck: false, consumer);

        var body = System.Text.Encoding.UTF8.GetBytes("""{"orderId":1,"customer":"ada","total":10}""");
        var run = await BenchEnvironment.MeasureLatencyAsync(
            async _ =>
            {
                var id = Guid.CreateVersion7();
                var at = Stopwatch.GetTimestamp();
                var properties = new BasicProperties { Persistent = true, MessageId = id.ToString(), ContentType = "application/json" };
                await publisher.BasicPublishAsync("", Queue, mandatory: true, properties, body);
                return (id, at);
            },
            async () => await arrivals.Reader.ReadAsync(),
            messagesPerSecond,
            seconds,
            writers);
        await reading.QueueDeleteAsync(Queue);
        return run;
    }
}
