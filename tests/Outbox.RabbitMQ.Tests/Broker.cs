using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Outbox.RabbitMQ.Tests;

/// <summary>
/// The RabbitMQ server the tests talk to, named by <c>OUTBOX_TEST_RABBITMQ</c> (default: the local broker
/// that <c>eng/test.sh</c> starts), seen through the plain RabbitMQ.Client as any other application would.
/// </summary>
public sealed class Broker : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;

    private Broker(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public static string Uri => Environment.GetEnvironmentVariable("OUTBOX_TEST_RABBITMQ") is { Length: > 0 } uri ? uri : "amqp://guest:guest@127.0.0.1:5672/";

    public static async Task<Broker> ConnectAsync()
    {
        try
        {
            var connection = await new ConnectionFactory { Uri = new Uri(Uri) }.CreateConnectionAsync();
            return new Broker(connection, await connection.CreateChannelAsync());
        }
        catch (Exception ex) when (ex is BrokerUnreachableException)
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not reachable ({ex.Message}). Run eng/test.sh, which installs and starts it, or point OUTBOX_TEST_RABBITMQ at a broker.",
                ex);
        }
    }

    /// <summary>A new channel on this connection, for a test to close or dispose.</summary>
    public Task<IChannel> OpenChannelAsync() => _connection.CreateChannelAsync();

    /// <summary>A queue of this connection (deleted with it) bound to <paramref name="exchange"/> with <paramref name="routingKey"/>.</summary>
    public async Task<string> BindQueueAsync(string exchange, string routingKey)
    {
        var queue = await _channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await _channel.QueueBindAsync(queue.QueueName, exchange, routingKey);
        return queue.QueueName;
    }

    /// <summary>A durable queue bound to <paramref name="exchange"/>: it outlives this connection, and a broker restart.</summary>
    public async Task DeclareDurableQueueAsync(string queue, string exchange, string routingKey)
    {
        await _channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await _channel.QueueBindAsync(queue, exchange, routingKey);
    }

    /// <summary>Publishes as a producer that knows nothing of the outbox would.</summary>
    public async Task PublishAsync(string exchange, string routingKey, BasicProperties properties, string body) =>
        await _channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, System.Text.Encoding.UTF8.GetBytes(body));

    public Task ExchangeDeclareAsync(string exchange, string type) => _channel.ExchangeDeclareAsync(exchange, type, durable: true);

    public async Task<uint> CountAsync(string queue) => (await _channel.QueueDeclarePassiveAsync(queue)).MessageCount;

    /// <summary>Takes every message in <paramref name="queue"/>, acknowledging each.</summary>
    public async Task<List<BasicGetResult>> TakeAllAsync(string queue)
    {
        var taken = new List<BasicGetResult>();
        while (await _channel.BasicGetAsync(queue, autoAck: true) is { } result)
        {
            taken.Add(result);
        }

        return taken;
    }

    /// <summary>Waits until <paramref name="queue"/> holds <paramref name="count"/> ready messages.</summary>
    public async Task WaitForCountAsync(string queue, uint count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        uint seen;
        while ((seen = await CountAsync(queue)) < count)
        {
            Assert.True(deadline.Elapsed < timeout, $"Queue {queue} held {seen} of {count} messages after {timeout}.");
            await Task.Delay(50);
        }
    }

    public async Task DeleteAsync(string? exchange = null, params string[] queues)
    {
        foreach (var queue in queues)
        {
            await _channel.QueueDeleteAsync(queue);
        }

        if (exchange is not null)
        {
            await _channel.ExchangeDeleteAsync(exchange);
        }
    }

    /// <summary>Runs <c>rabbitmqctl</c> on this machine (the broker must be local).</summary>
    public static Task CtlAsync(params string[] arguments) => LocalServices.RabbitMQAsync(arguments);

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.CloseAsync();
        await _connection.DisposeAsync();
    }
}
