using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Consumers;
using Outbox.Testing;

namespace Outbox.Kafka.Tests;

/// <summary>
/// Per test: a mock Kafka cluster and a PostgreSQL database of its own, and the application instances the
/// test starts; all removed after it.
/// </summary>
public abstract class KafkaScenarios : IAsyncLifetime
{
    /// <summary>The topic <see cref="OrderPlaced"/> is routed to.</summary>
    protected const string Topic = "orders.placed";

    private readonly List<OutboxTestHost> _hosts = [];

    protected PostgreSqlTestDatabase Database { get; } = new();

    internal MockCluster Cluster { get; } = new();

    protected HandlerScript Script { get; } = new();

    protected LogCapture Logs { get; } = new();

    protected string ConsumerName { get; } = $"payments-{Guid.NewGuid():N}";

    public Task InitializeAsync() => Database.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        Cluster.Dispose();
        await Database.DisposeAsync();
    }

    /// <summary>An application instance sending through Kafka, on the fake clock, driven step by step; with <paramref name="consumer"/>, it also consumes.</summary>
    protected OutboxTestHost Host(IDictionary<string, string?>? settings = null, string? consumer = null, Action<IServiceCollection>? services = null)
    {
        var all = Cluster.Configuration();
        all["Outbox:Transport"] = "Kafka";
        all["Outbox:Consumers:Retry:MaxRetryAttempts"] = "0";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var host = OutboxTestHost.Create(
            Database,
            settings: all,
            services: s =>
            {
                s.AddSingleton(Script);
                s.AddLogging(l => l.AddProvider(Logs));
                if (Environment.GetEnvironmentVariable("OUTBOX_TEST_LOG") == "1")
                {
                    // The outbox's own logs on the console, to follow a failing test.
                    s.AddLogging(l => l.AddConsole().AddFilter("Microsoft", LogLevel.Warning));
                }
                services?.Invoke(s);
            },
            outbox: o =>
            {
                o.UseKafka();
                if (consumer is not null)
                {
                    o.AddConsumer<OrderPlacedHandler>(c =>
                    {
                        c.Source = Topic;
                        c.Name = consumer;
                    });
                }
            });
        _hosts.Add(host);
        return host;
    }

    /// <summary>Places <paramref name="count"/> orders from <paramref name="from"/>, each publishing its <see cref="OrderPlaced"/> with the key <paramref name="key"/> gives, 50 to a transaction, left as a backlog.</summary>
    protected static async Task PlaceOrdersAsync(OutboxTestHost host, int from, int count, Func<long, string?> key)
    {
        for (var first = from; first < from + count; first += 50)
        {
            await host.InScopeAsync(async (db, outbox) =>
            {
                for (var i = first; i < Math.Min(from + count, first + 50); i++)
                {
                    db.Orders.Add(new Order { Customer = "bulk", Total = i });
                    await outbox.PublishAsync(new OrderPlaced(i, "bulk"), new PublishOptions { Key = key(i), Delay = TimeSpan.FromMilliseconds(1) });
                }

                await db.SaveChangesAsync();
            });
        }

        host.Time.Advance(TimeSpan.FromSeconds(1));
    }

    internal static ConsumerHost Consumers(OutboxTestHost host) => host.Services.GetRequiredService<ConsumerHost>();

    protected Task<int> HandledOrdersAsync(OutboxTestHost host) =>
        host.InScopeAsync((db, _) => db.Orders.CountAsync(o => o.Customer == $"handled by {ConsumerName}"));

    /// <summary>Waits until <paramref name="count"/> orders were handled and committed (the handler's own record comes before its commit).</summary>
    protected async Task WaitForHandledAsync(OutboxTestHost host, int count, int seconds = 60)
    {
        var waited = Stopwatch.StartNew();
        while (await HandledOrdersAsync(host) < count)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(seconds), $"Gave up waiting for {count} handled orders.");
            await Task.Delay(50);
        }
    }

    /// <summary>The consumer group's committed offsets, summed over the topic's partitions: how many records it has finished.</summary>
    protected long CommittedOffsets(int partitions)
    {
        var settings = new Confluent.Kafka.ConsumerConfig { BootstrapServers = Cluster.BootstrapServers, GroupId = ConsumerName };
        using var reader = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(settings).Build();
        var offsets = reader.Committed(Enumerable.Range(0, partitions).Select(p => new Confluent.Kafka.TopicPartition(Topic, p)), TimeSpan.FromSeconds(10));
        return offsets.Sum(o => Math.Max(0, o.Offset.Value));
    }

    protected static async Task WaitAsync(Func<bool> condition, string what, int seconds = 60)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(seconds), $"Gave up waiting for {what}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Every key's order ids, as handled, are ascending.</summary>
    protected static void AssertOrderPerKey(IEnumerable<(string? Key, long OrderId)> handled)
    {
        foreach (var key in handled.GroupBy(h => h.Key))
        {
            var ids = key.Select(h => h.OrderId).ToList();
            Assert.True(ids.SequenceEqual(ids.Order()), $"Key {key.Key} was handled out of order: {string.Join(", ", ids.Take(50))}");
        }
    }
}
