using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outbox.Testing;
using Xunit.Abstractions;

namespace Outbox.RabbitMQ.Tests;

/// <summary>
/// Nothing is lost, nothing is applied twice, nothing is reordered, and nothing stops, while the broker,
/// the database and the consumer's process fail under a running load. The method is the one the
/// product's guarantees are stated in: writers give each key consecutive sequence numbers in commit
/// order, and the consumer's effects are checked against them. The outbox numbers the messages too
/// (a sequenced route), and the consumer's own check (CheckSequence) must agree with the test's count.
/// Both services keep their outbox and inbox in the database a subclass names, and that database restarts.
/// </summary>
public abstract class FaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Keys = 20;
    private const int Writers = 4;

    // Resuming takes the client's reconnect interval, a redelivery delay and, after a kill, a process start.
    private static readonly TimeSpan ResumeLimit = TimeSpan.FromSeconds(30);

    private ITestDatabase _producerDatabase = null!;
    private ITestDatabase _consumerDatabase = null!;
    private readonly string _exchange = $"outbox-fault-{Guid.NewGuid():N}";
    private readonly string _consumer = $"ticks-{Guid.NewGuid():N}";
    private readonly LogCapture _producerLogs = new();

    /// <summary>A new database of the kind under test, on the local server that <see cref="RestartDatabaseAsync"/> restarts.</summary>
    protected abstract ITestDatabase NewDatabase();

    /// <summary>The database as the consumer process's <c>Database:Provider</c> names it.</summary>
    protected abstract string Provider { get; }

    /// <summary>The database's fault, as the test's output names it.</summary>
    protected abstract string DatabaseRestarted { get; }

    protected abstract Task RestartDatabaseAsync();

    public async Task InitializeAsync()
    {
        LocalServices.RequireLocal();
        _producerDatabase = NewDatabase();
        _consumerDatabase = NewDatabase();
        await _producerDatabase.CreateAsync();
        await _consumerDatabase.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await using (var broker = await Broker.ConnectAsync())
        {
            await broker.DeleteAsync(_exchange, _consumer, _consumer + ".delay");
        }

        await _producerDatabase.DisposeAsync();
        await _consumerDatabase.DisposeAsync();
    }

    [Fact]
    public async Task BrokerDatabaseAndProcessFaults_DuringARun_NothingLost_NothingAppliedTwice_PerKeyOrderKept_ConsumingResumes()
    {
        using var consumer = new ConsumerProcess(ConsumerArguments());
        consumer.Start();
        using var producer = Producer();
        await producer.StartAsync();
        using var stopWriting = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(w => WriteAsync(producer.Services, w, stopWriting.Token)).ToArray();
        var run = Stopwatch.StartNew();
        var resumed = new List<(string Fault, TimeSpan Resumed)>();
        var stopped = TimeSpan.Zero;
        try
        {
            resumed.Add(await InjectAsync(consumer, "RabbitMQ stop_app, 5 s, start_app", async () =>
            {
                await LocalServices.RabbitMQAsync("stop_app");
                await Task.Delay(TimeSpan.FromSeconds(5));
                await LocalServices.StartRabbitMQAppAsync();
            }));
            resumed.Add(await InjectAsync(consumer, "consumer process killed (SIGKILL), started again after 2 s", async () =>
            {
                consumer.Kill();
                await Task.Delay(TimeSpan.FromSeconds(2));
                consumer.Start();
            }));
            resumed.Add(await InjectAsync(consumer, "consumer process stopped (SIGTERM) mid-stream, started again after 1 s", async () =>
            {
                // Within the host's shutdown timeout (30 s): receiving stops, handlers running finish, and
                // what was not acknowledged is delivered again to the next process.
                (var exitCode, stopped) = await consumer.TerminateAsync(TimeSpan.FromSeconds(30));
                Assert.True(exitCode == 0, $"The consumer exited with {exitCode} after SIGTERM:\n{consumer.Output}");
                await Task.Delay(TimeSpan.FromSeconds(1));
                consumer.Start();
            }));
            resumed.Add(await InjectAsync(consumer, DatabaseRestarted, RestartDatabaseAsync));
            resumed.Add(await InjectAsync(consumer, "RabbitMQ node stopped, 3 s, started", async () =>
            {
                await LocalServices.RabbitMQAsync("stop");
                await Task.Delay(TimeSpan.FromSeconds(3));
                await LocalServices.StartRabbitMQNodeAsync();
            }));
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await stopWriting.CancelAsync();
            await Task.WhenAll(writers);
        }

        var committed = await ReadAsync(_producerDatabase);
        await WaitAsync(async () => (await ReadAsync(_consumerDatabase)).Distinct().Count() >= committed.Count, TimeSpan.FromMinutes(3), "every committed message to be handled", consumer);
        var drained = run.Elapsed;
        consumer.Kill();
        await producer.StopAsync();

        var effects = await ReadAsync(_consumerDatabase);
        var lost = committed.Except(effects).Count();
        var duplicates = effects.Count - effects.Distinct().Count();
        var outOfOrder = effects.GroupBy(e => e.Key).Sum(key => key.Zip(key.Skip(1)).Count(pair => pair.Second.Seq != pair.First.Seq + 1));
        var consumerDeadLetters = await CountAsync(_consumerDatabase, "SELECT count(*) FROM outbox_dead_letters");
        var producerDeadLetters = await CountAsync(_producerDatabase, "SELECT count(*) FROM outbox_dead_letters");

        // The consumer's own sequence check, across the faults, must agree with the test's count.
        var gaps = await CountAsync(_consumerDatabase, "SELECT count(*) FROM inbox_sequence_gaps");
        var checkedUpTo = await CountAsync(_consumerDatabase, "SELECT coalesce(sum(last_sequence), 0) FROM inbox_sequences WHERE source = 'fault-writers'");
        var reported = consumer.Output.Split('\n').Count(line => line.Contains("Outbox.Consumers.ConsumerHost[25]", StringComparison.Ordinal) || line.Contains("Outbox.Consumers.ConsumerHost[27]", StringComparison.Ordinal));

        output.WriteLine($"{committed.Count} messages over {Keys} keys by {Writers} writers; all handled {drained.TotalSeconds:0.0} s after the start");
        foreach (var (fault, after) in resumed)
        {
            output.WriteLine($"{fault}: consuming resumed {after.TotalSeconds:0.0} s after the fault ended");
        }

        output.WriteLine($"the consumer stopped {stopped.TotalSeconds:0.00} s after SIGTERM");
        output.WriteLine($"lost {lost}, duplicate effects {duplicates}, per-key order violations {outOfOrder}, dead letters {consumerDeadLetters} + {producerDeadLetters}");
        output.WriteLine($"the consumer's sequence check: {gaps} open gaps, {reported} gaps or steps back reported, numbers checked up to a total of {checkedUpTo} over {Keys} keys");
        output.WriteLine("consumer log lines at warning and above, by event: " + string.Join(", ", consumer.Output.Split('\n')
            .Where(line => line.StartsWith("warn: ", StringComparison.Ordinal) || line.StartsWith("fail: ", StringComparison.Ordinal))
            .GroupBy(line => line.Trim()).Select(g => $"{g.Key} x{g.Count()}")));
        output.WriteLine("producer log lines at warning and above, by event: " + string.Join(", ", _producerLogs.Entries
            .Where(e => e.Level >= LogLevel.Warning).GroupBy(e => $"{e.Category}[{e.EventId.Id}]").Select(g => $"{g.Key} x{g.Count()}")));
        Assert.True(committed.Count >= 2_000, $"Only {committed.Count} messages were written: the run proves little.");
        Assert.Equal((0, 0, 0, 0, 0), (lost, duplicates, outOfOrder, consumerDeadLetters, producerDeadLetters));
        Assert.Equal((0L, 0), (gaps, reported));
        Assert.Equal(committed.GroupBy(c => c.Key).Sum(key => key.Max(c => c.Seq)), checkedUpTo); // every key checked up to its last number
        Assert.All(resumed, r => Assert.True(r.Resumed < ResumeLimit, $"After '{r.Fault}' consuming took {r.Resumed} to resume."));

        // The outbox's own lines: one warning per component and outage (two of the broker, one of the
        // database), never an error; EF Core reports each failed command itself.
        var outboxLines = consumer.Output.Split('\n').Where(line => line.StartsWith("warn: Outbox", StringComparison.Ordinal) || line.StartsWith("fail: Outbox", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(outboxLines, line => line.StartsWith("fail: ", StringComparison.Ordinal));
        Assert.All(outboxLines.GroupBy(line => line.Trim()), g => Assert.True(g.Count() <= 2, $"{g.Key} was logged {g.Count()} times. The consumer's warnings and what it logged around them:\n{Warnings(consumer.Output)}"));
        Assert.True(outboxLines.Count(line => line.Contains("ConsumerHost[34]", StringComparison.Ordinal)) <= 1, string.Join("\n", outboxLines));
    }

    /// <summary>Each warning or error line of a console log with the line after it, which holds its message.</summary>
    private static string Warnings(string output)
    {
        var lines = output.Split('\n');
        return string.Join("\n", lines.Select((line, i) => (line, i))
            .Where(l => l.line.StartsWith("warn: ", StringComparison.Ordinal) || l.line.StartsWith("fail: ", StringComparison.Ordinal) || l.line.StartsWith("info: Outbox.RabbitMQ", StringComparison.Ordinal))
            .Select(l => l.line.Trim() + (l.i + 1 < lines.Length ? " " + lines[l.i + 1].Trim() : "")));
    }

    /// <summary>Waits until messages are being handled, injects the fault, and measures how long after it ended handling resumed.</summary>
    private async Task<(string Fault, TimeSpan Resumed)> InjectAsync(ConsumerProcess consumer, string fault, Func<Task> inject)
    {
        var before = await EffectsAsync();
        await WaitAsync(async () => await EffectsAsync() > before, TimeSpan.FromSeconds(60), $"handling to flow before '{fault}'", consumer);

        await inject();
        var ended = Stopwatch.StartNew();
        var at = await EffectsAsync();
        await WaitAsync(async () => await EffectsAsync() > at, TimeSpan.FromMinutes(2), $"handling to resume after '{fault}'", consumer);
        return (fault, ended.Elapsed);
    }

    // The consumer's database may be the one restarting: an unanswered count is no progress.
    private async Task<long> EffectsAsync()
    {
        try
        {
            return await CountAsync(_consumerDatabase, "SELECT count(*) FROM orders");
        }
        catch (DbException)
        {
            return -1;
        }
    }

    /// <summary>Writes ticks for its keys, one per transaction, about 25 a second, until stopped; a failed commit is looked for before it is written again.</summary>
    private static async Task WriteAsync(IServiceProvider services, int writer, CancellationToken stop)
    {
        var keys = Enumerable.Range(0, Keys).Where(k => k % Writers == writer).Select(k => $"key-{k:00}").ToList();
        var next = keys.ToDictionary(k => k, _ => 1L);
        while (!stop.IsCancellationRequested)
        {
            foreach (var key in keys)
            {
                await WriteAsync(services, key, next[key]);
                next[key]++;
                await Task.Delay(TimeSpan.FromMilliseconds(40), CancellationToken.None);
            }
        }
    }

    private static async Task WriteAsync(IServiceProvider services, string key, long seq)
    {
        while (true)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
                db.Orders.Add(new Order { Customer = key, Total = seq });
                await scope.ServiceProvider.GetRequiredService<IOutbox>().PublishAsync(new Tick(key, seq), new PublishOptions { Key = key });
                await db.SaveChangesAsync();
                return;
            }
            catch (Exception ex) when (ex is DbUpdateException or DbException or InvalidOperationException)
            {
                // The database went away; the commit may have happened all the same.
                while (true)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250));
                    try
                    {
                        await using var scope = services.CreateAsyncScope();
                        if (await scope.ServiceProvider.GetRequiredService<ShopContext>().Orders.AnyAsync(o => o.Customer == key && o.Total == seq))
                        {
                            return;
                        }

                        break;
                    }
                    catch (Exception again) when (again is DbException or InvalidOperationException)
                    {
                    }
                }
            }
        }
    }

    private IHost Producer() => ProducerHost.Build(
        _producerDatabase,
        _exchange,
        _producerLogs,
        options => options.Route<Tick>("ticks", sequenced: true), // numbered by the outbox, checked by the consumer
        new Dictionary<string, string?>
        {
            ["Outbox:ServiceName"] = "fault-writers",
            ["Outbox:RabbitMQ:RecoveryInterval"] = "00:00:01",
            ["Outbox:Dispatch:LeaseDuration"] = "00:00:05",
            ["Outbox:Dispatch:MaxAttempts"] = "1000",
            ["Outbox:Dispatch:Retry:MaxRetryAttempts"] = "1",
            ["Outbox:Dispatch:AttemptTimeout"] = "00:00:01",
            ["Outbox:Dispatch:Retry:Delay"] = "00:00:00.100",
            ["Outbox:Dispatch:Retry:MaxDelay"] = "00:00:00.500",
            ["Outbox:Dispatch:CircuitBreaker:BreakDuration"] = "00:00:02",
            ["Outbox:Transactions:CheckAfter"] = "00:00:01",
            ["Outbox:Transactions:ScanInterval"] = "00:00:01",
        });

    private string[] ConsumerArguments() =>
    [
        $"--ConnectionStrings:Consumer={_consumerDatabase.ConnectionString}",
        $"--Database:Provider={Provider}",
        $"--Consumer:Name={_consumer}",
        $"--Outbox:RabbitMQ:Uri={Broker.Uri}",
        $"--Outbox:RabbitMQ:Exchange={_exchange}",
        "--Outbox:RabbitMQ:RecoveryInterval=00:00:01",
        "--Outbox:Consumers:MaxConcurrency=8",
        "--Outbox:Consumers:RedeliveryDelay=00:00:01",
        "--Outbox:Consumers:MaxRedeliveryDelay=00:00:02",
        "--Outbox:Consumers:MaxDeliveries=1000",
        "--Outbox:Consumers:CheckSequence=true",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:Outbox=Information",
    ];

    /// <summary>Every tick row, as (key, sequence number), in the order the rows were written.</summary>
    private static async Task<List<(string Key, long Seq)>> ReadAsync(ITestDatabase database)
    {
        await using var db = Context(database);
        var rows = await db.Orders.AsNoTracking().OrderBy(o => o.Id).Select(o => new { o.Customer, o.Total }).ToListAsync();
        return rows.ConvertAll(r => (r.Customer, (long)r.Total));
    }

    /// <summary>The one number <paramref name="sql"/> selects.</summary>
    internal static async Task<long> CountAsync(ITestDatabase database, string sql)
    {
        await using var db = Context(database);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ShopContext Context(ITestDatabase database)
    {
        var options = new DbContextOptionsBuilder<ShopContext>();
        database.Configure(options);
        return new ShopContext(options.Options);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan limit, string what, ConsumerProcess? consumer)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < limit, $"Gave up waiting {limit} for {what}.{(consumer is null ? "" : "\nThe consumer printed:\n" + consumer.Output)}");
            await Task.Delay(200);
        }
    }
}
