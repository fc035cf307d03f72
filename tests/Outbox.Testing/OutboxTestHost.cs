using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outbox.Dispatching;
using Outbox.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Storage;
using Outbox.Scheduling;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.Testing;

/// <summary>
/// One application instance wired as a user would wire it, on a test database and a fake clock, with
/// the dispatcher driven step by step by the test (its background loops start only when asked).
/// </summary>
public sealed class OutboxTestHost : IAsyncDisposable
{
    private OutboxTestHost(ServiceProvider services, FakeTimeProvider time)
    {
        Services = services;
        Time = time;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public InMemoryTransport Memory => Services.GetRequiredService<InMemoryTransport>();

    public IDeadLetterQueue DeadLetters => Services.GetRequiredService<IDeadLetterQueue>();

    internal OutboxDispatcher Dispatcher => Services.GetRequiredService<OutboxDispatcher>();

    internal OutboxMaintenance Maintenance => Services.GetRequiredService<OutboxMaintenance>();

    internal IDispatchStore Store => Services.GetRequiredService<IOutboxStore>().Dispatch;

    internal ITransactionalStore TransactionalStore => Services.GetRequiredService<IOutboxStore>().Transactions;

    /// <summary>Settings every test host starts from: no in-process retry delays (the tests move the clock).</summary>
    public static Dictionary<string, string?> BaseSettings() => new()
    {
        ["Outbox:Dispatch:Retry:MaxRetryAttempts"] = "0",
        ["Outbox:Routes:OrderShipped"] = "orders.shipped",
    };

    public static OutboxTestHost Create(
        ITestDatabase database,
        FakeTimeProvider? time = null,
        ITransport? transport = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        Action<IOutboxBuilder>? outbox = null)
    {
        time ??= new FakeTimeProvider();
        var all = BaseSettings();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddDbContext<ShopContext>((sp, options) => database.Configure(options.UseOutbox(sp)));
        var builder = collection
            .AddOutbox(configuration.GetSection("Outbox"), o => o
                .Route<OrderPlaced>("orders.placed")
                .AddMessageType<OrderShipped>("OrderShipped")
                .Route<PaymentRequested>("payments.requested"))
            .UseEntityFrameworkCore<ShopContext>(database.Store)
            .UseInMemoryTransport(o => o.Mandatory = all.GetValueOrDefault("InMemory:Mandatory") == "true");
        outbox?.Invoke(builder);
        if (transport is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(transport));
        }

        services?.Invoke(collection);
        return new OutboxTestHost(collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }), time);
    }

    /// <summary>Places an order and publishes <paramref name="message"/> in the same SaveChanges.</summary>
    public Task<Guid> PlaceOrderAsync(object message, PublishOptions? options = null) =>
        InScopeAsync(async (db, outbox) =>
        {
            db.Orders.Add(new Order { Customer = "ada", Total = 10m });
            var id = await outbox.PublishAsync(message, options);
            await db.SaveChangesAsync();
            return id;
        });

    public async Task<T> InScopeAsync<T>(Func<ShopContext, IOutbox, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ShopContext>(), scope.ServiceProvider.GetRequiredService<IOutbox>());
    }

    public Task InScopeAsync(Func<ShopContext, IOutbox, Task> action) =>
        InScopeAsync(async (db, outbox) =>
        {
            await action(db, outbox);
            return true;
        });

    internal Task<List<OutboxRecord>> RowsAsync() =>
        InScopeAsync((db, _) => db.Set<OutboxRecord>().AsNoTracking().OrderBy(r => r.Id).ToListAsync());

    public Task<int> CountOrdersAsync() => InScopeAsync((db, _) => db.Orders.CountAsync());

    /// <summary>Runs the fast path over what commits have handed over.</summary>
    public Task<int> DrainAsync() => Dispatcher.DrainCommittedAsync(CancellationToken.None);

    /// <summary>Claims and sends one batch of due rows.</summary>
    public Task<int> PollAsync() => Dispatcher.PollOnceAsync(CancellationToken.None);

    /// <summary>Polls until a poll finds nothing due.</summary>
    public async Task<int> PollUntilIdleAsync()
    {
        var total = 0;
        int claimed;
        while ((claimed = await PollAsync()) > 0)
        {
            total += claimed;
        }

        return total;
    }

    /// <summary>Polls until no unsent row is left, whoever sends them; returns how many this instance claimed.</summary>
    public async Task<int> PollUntilAllSentAsync()
    {
        var total = 0;
        while (true)
        {
            var claimed = await PollAsync();
            total += claimed;
            if (claimed == 0)
            {
                if (await Store.GetEarliestDueUnsentAsync(CancellationToken.None) is null)
                {
                    return total;
                }

                await Task.Yield();
            }
        }
    }

    /// <summary>
    /// Polls until no unsent row is left, moving the clock on by <paramref name="step"/> whenever a poll claims
    /// nothing (rows waiting for their backoff, or the circuit breaker open after a broker outage).
    /// </summary>
    public async Task RelayAllAsync(TimeSpan step, TimeSpan within)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await Store.GetEarliestDueUnsentAsync(CancellationToken.None) is not null)
        {
            if (waited.Elapsed > within)
            {
                throw new TimeoutException($"Rows were still unsent after {within.TotalSeconds} s.");
            }

            if (await PollAsync() == 0)
            {
                Time.Advance(step);
                await Task.Delay(50);
            }
        }
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
