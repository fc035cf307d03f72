using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Consumers;
using Outbox.Testing;

namespace Outbox.RabbitMQ.Tests;

/// <summary>
/// Per test: a PostgreSQL database, an exchange of its own on the real broker, and the application
/// instances the test starts; all removed after it.
/// </summary>
public abstract class RabbitMQScenarios : IAsyncLifetime
{
    private readonly List<OutboxTestHost> _hosts = [];

    protected PostgreSqlTestDatabase Database { get; } = new();

    protected Broker Broker { get; private set; } = null!;

    protected string Exchange { get; } = $"outbox-test-{Guid.NewGuid():N}";

    protected HandlerScript Script { get; } = new();

    /// <summary>Durable queues the test's consumers declared, deleted after it.</summary>
    protected List<string> ConsumerQueues { get; } = [];

    public async Task InitializeAsync()
    {
        Broker = await Broker.ConnectAsync();
        await Broker.ExchangeDeclareAsync(Exchange, "topic"); // as the outbox declares it, so tests can bind first
        await Database.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await Broker.DeleteAsync(Exchange, [.. ConsumerQueues.SelectMany(q => new[] { q, q + ".delay" })]);
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Uses a new connection to the broker, after the test stopped and restarted it.</summary>
    protected void ReplaceBroker(Broker broker) => Broker = broker;

    /// <summary>An application instance sending through RabbitMQ, on the fake clock, driven step by step.</summary>
    protected OutboxTestHost Host(IDictionary<string, string?>? settings = null, string? consumer = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Outbox:Transport"] = "RabbitMQ",
            ["Outbox:RabbitMQ:Uri"] = Broker.Uri,
            ["Outbox:RabbitMQ:Exchange"] = Exchange,
            ["Outbox:Consumers:Retry:MaxRetryAttempts"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        if (consumer is not null && !ConsumerQueues.Contains(consumer))
        {
            ConsumerQueues.Add(consumer);
        }

        var host = OutboxTestHost.Create(
            Database,
            settings: all,
            services: s =>
            {
                s.AddSingleton(Script);
                services?.Invoke(s);
                if (Environment.GetEnvironmentVariable("OUTBOX_TEST_LOG") == "1")
                {
                    // The outbox's own logs on the console, to follow a failing test.
                    s.AddLogging(l => l.AddConsole().AddFilter("Microsoft", LogLevel.Warning));
                }
            },
            outbox: o =>
            {
                o.UseRabbitMQ();
                if (consumer is not null)
                {
                    o.AddConsumer<OrderPlacedHandler>(c =>
                    {
                        c.Source = "orders.placed";
                        c.Name = consumer;
                    });
                }
            });
        _hosts.Add(host);
        return host;
    }

    /// <summary>
    /// Places <paramref name="count"/> orders, each with its <see cref="OrderPlaced"/>, <paramref name="perTransaction"/>
    /// to a transaction, as a backlog for the poller: delayed by a millisecond, so no commit sends them,
    /// and then due.
    /// </summary>
    protected static async Task PlaceOrdersAsync(OutboxTestHost host, int count, int perTransaction, Func<int, string?> key)
    {
        for (var first = 0; first < count; first += perTransaction)
        {
            await host.InScopeAsync(async (db, outbox) =>
            {
                for (var i = first; i < Math.Min(count, first + perTransaction); i++)
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
}
