using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outbox.EntityFrameworkCore;
using Outbox.Transport;

namespace Outbox.Benchmarks;

/// <summary>
/// What every scenario shares: the servers (the database, OUTBOX_BENCH_RABBITMQ; by default the local ones
/// eng/services.sh starts), the benchmark database, the host under test, and the targets.
/// </summary>
internal sealed class BenchEnvironment(bool quick, Targets targets, BenchDatabase database)
{

    /// <summary>Whether to run the smaller version of each scenario.</summary>
    public bool Quick => quick;

    /// <summary>Where scenarios record their figures against targets.json.</summary>
    public Targets Targets => targets;

    /// <summary>The database the benchmark runs on.</summary>
    public BenchDatabase Database => database;

    /// <summary>The benchmark's own database, dropped and created again by <see cref="ResetAsync"/>.</summary>
    public string ConnectionString => database.ConnectionString;

    public string RabbitMQUri => Environment.GetEnvironmentVariable("OUTBOX_BENCH_RABBITMQ") is { Length: > 0 } u ? u : "amqp://guest:guest@127.0.0.1:5672/";

    // Seeds a backlog of count rows over keys (none when 0) and times the relay from starting the host to the last
    // row marked dispatched, as the dispatcher's own counter reports (polling the table would load the database).
    public async Task<RelayRun> RelayBacklogAsync(int count, int keys, Dictionary<string, string?> settings, Action<IOutboxBuilder>? configure = null)
    {
        await ResetAsync();
        await SeedBacklogAsync(count, keys);
        using var host = BuildHost(settings, configure);
        using var dispatched = new DispatchedCounter();
        var cpu = new CpuMeter();
        var relay = Stopwatch.StartNew();
        await host.StartAsync();
        while (dispatched.Count < count)
        {
            await Task.Delay(5);
        }

        relay.Stop();
        var used = cpu.Elapsed();
        await host.StopAsync();
        return new RelayRun(relay.Elapsed, used);
    }

    // Commits one outbox message per business transaction at a steady rate, from several writers, and
    // measures for each the time from SaveChanges returning to nextArrival reporting its id. The first
    // second is not counted: JIT and connection pool warm-up. Nothing here spins: on two cores a busy wait
    // in the benchmark takes the CPU the pipeline under measurement needs.
    public Task<LatencyRun> MeasureLatencyAsync(IHost host, Func<Task<Guid>> nextArrival, int messagesPerSecond, int seconds, int writers = 4) =>
        MeasureLatencyAsync(
            async i =>
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BenchContext>();
                var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
                db.Orders.Add(new Order { Customer = "ada", Total = 10m });
                var id = await outbox.PublishAsync(new OrderPlaced(i, "ada", 10m));
                await db.SaveChangesAsync();
                return (id, Stopwatch.GetTimestamp()); // from the commit
            },
            nextArrival,
            messagesPerSecond,
            seconds,
            writers);

    /// <summary>
    /// Sends <paramref name="messagesPerSecond"/> messages a second for <paramref name="seconds"/> (plus a
    /// second's worth first, not counted) from <paramref name="writers"/> loops, each message when it is due;
    /// <paramref name="send"/> returns the message's id and the timestamp its latency counts from.
    /// </summary>
    public static async Task<LatencyRun> MeasureLatencyAsync(
        Func<int, Task<(Guid Id, long At)>> send, Func<Task<Guid>> nextArrival, int messagesPerSecond, int seconds, int writers)
    {
        var committed = new ConcurrentDictionary<Guid, (int Index, long At)>();
        var arrived = new Dictionary<Guid, long>();
        var warmUp = messagesPerSecond;
        var total = messagesPerSecond * seconds + warmUp;
        var reader = Task.Run(async () =>
        {
            while (arrived.Count < total)
            {
                var id = await nextArrival();
                arrived.TryAdd(id, Stopwatch.GetTimestamp());
            }
        });

        var ticksPerMessage = Stopwatch.Frequency / (double)messagesPerSecond;
        var start = Stopwatch.GetTimestamp();
        var late = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < total; i += writers)
            {
                var due = start + (long)(i * ticksPerMessage);
                var early = due - Stopwatch.GetTimestamp();
                if (early > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(early * 1000.0 / Stopwatch.Frequency)));
                }

                if (Stopwatch.GetTimestamp() - due > Stopwatch.Frequency / 100)
                {
                    Interlocked.Increment(ref late);
                }

                var (id, at) = await send(i);
                committed[id] = (i, at);
            }
        })));

        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(60))) != reader)
        {
            throw new TimeoutException($"Only {arrived.Count:N0} of {total:N0} messages reached the consumer within 60 s of the last commit.");
        }

        var latencies = arrived
            .Where(a => committed.ContainsKey(a.Key))
            .Select(a => (Commit: committed[a.Key], Arrival: a.Value))
            .Where(m => m.Commit.Index >= warmUp)
            .Select(m => Stopwatch.GetElapsedTime(m.Commit.At, m.Arrival).TotalMilliseconds)
            .ToList();
        return new LatencyRun(latencies, warmUp, writers, total / elapsed, late);
    }

    public async Task<double> TimeAsync(Func<Task> action)
    {
        var start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>Runs <paramref name="writers"/> loops of <paramref name="write"/> for <paramref name="duration"/>; returns how many writes finished.</summary>
    public static async Task<long> WriteForAsync(int writers, TimeSpan duration, Func<Task> write)
    {
        long count = 0;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                await write();
                Interlocked.Increment(ref count);
            }
        })));
        return count;
    }

    public async Task PlaceOrderAsync(IHost host, int lines, bool publish, string? key = null)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BenchContext>();
        var order = new Order { Customer = "ada", Total = 10m };
        db.Orders.Add(order);
        for (var l = 0; l < lines; l++)
        {
            db.OrderLines.Add(new OrderLine { Sku = "sku-" + l, Quantity = 1 });
        }

        if (publish)
        {
            await scope.ServiceProvider.GetRequiredService<IOutbox>().PublishAsync(new OrderPlaced(0, "ada", 10m), key is null ? null : new PublishOptions { Key = key });
        }

        await db.SaveChangesAsync();
    }

    public IHost BuildHost(Dictionary<string, string?> settings, Action<IOutboxBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddDbContext<BenchContext>((sp, o) => database.Configure(o.UseOutbox(sp)));
        var outbox = builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), o => o.Route<OrderPlaced>("orders.placed").Route<PaymentRequested>("payments.requested"))
            .UseEntityFrameworkCore<BenchContext>(database.Store)
            .UseInMemoryTransport(o => o.Mandatory = false) // the relay is measured, not a receiver: nobody subscribes
            .AddTransactionCheck<PaymentRequested, CommitCheck>();
        configure?.Invoke(outbox);
        return builder.Build();
    }

    public async Task<IHost> StartHostAsync(Dictionary<string, string?> settings)
    {
        var host = BuildHost(settings);
        await host.StartAsync();
        return host;
    }

    public async Task ResetAsync()
    {
        database.ClearPools();
        var options = new DbContextOptionsBuilder<BenchContext>();
        database.Configure(options);
        await using var db = new BenchContext(options.Options);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await db.Database.EnsureDeletedAsync();
                break;
            }
            catch (System.Data.Common.DbException) when (attempt < 10)
            {
                // An autovacuum worker may still be busy in the database after a large run.
                await Task.Delay(500);
            }
        }

        await db.Database.EnsureCreatedAsync();
        database.ClearPools();
    }

    public Task SeedBacklogAsync(int rows, int keys) => database.SeedBacklogAsync(rows, keys);

    public Task<string> ServerVersionAsync() => database.ServerVersionAsync();
}
