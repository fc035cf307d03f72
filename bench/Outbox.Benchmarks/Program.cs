using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Outbox;
using Outbox.Benchmarks;
using Outbox.EntityFrameworkCore;
using Outbox.Kafka;
using Outbox.Kafka.Tests;
using Outbox.RabbitMQ;
using RabbitMQ.Client;
using Outbox.Transport;

// Measures the outbox on PostgreSQL against baselines taken in the same run. Usage:
//   dotnet run -c Release --project bench/Outbox.Benchmarks [-- --quick] [--section N] [--check]
// --check exits with 1 when a figure misses its target in targets.json.
// OUTBOX_BENCH_POSTGRES and OUTBOX_BENCH_RABBITMQ name the servers (default: the local ones eng/services.sh starts).
var quick = args.Contains("--quick");
var check = args.Contains("--check");
var targets = Targets.Load(Path.Combine(AppContext.BaseDirectory, "targets.json"));
var only = args.SkipWhile(a => a != "--section").Skip(1).FirstOrDefault();
bool Run(string section) => only is null || only == section;
var server = Environment.GetEnvironmentVariable("OUTBOX_BENCH_POSTGRES") is { Length: > 0 } s
    ? s
    : "Host=127.0.0.1;Port=5432;Username=outbox;Password=outbox;Database=postgres";
var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = "outbox_bench" }.ConnectionString;

Console.WriteLine($"# Outbox benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; PostgreSQL: {await ServerVersionAsync()}");
Console.WriteLine();

if (Run("1"))
{
    await TransactionOverheadAsync(quick ? 500 : 3000, dispatcherRunning: false);
    await TransactionOverheadAsync(quick ? 500 : 3000, dispatcherRunning: true);
}

if (Run("2"))
{
    await RelayThroughputAsync(quick ? 20_000 : 100_000);
}

if (Run("3"))
{
    await LatencyAsync(messagesPerSecond: 500, seconds: quick ? 4 : 20);
}

if (Run("4"))
{
    await CheckJobAsync(10_000);
}

if (Run("5"))
{
    await InboxAsync(quick ? 10_000 : 50_000, concurrency: 8);
}

if (Run("6"))
{
    await RabbitMQRelayAsync(quick ? 20_000 : 100_000);
}

if (Run("7"))
{
    await RabbitMQLatencyAsync(seconds: quick ? 4 : 20);
}

if (Run("8"))
{
    await KafkaRelayAsync(quick ? 20_000 : 100_000);
}

return targets.Report() || !check ? 0 : 1;

// (7) Commit to consumer through RabbitMQ: each message is published with confirms, read by a consumer
// in the same process and handled through its inbox; at 500 messages/s, the target rate, and at 250.
async Task RabbitMQLatencyAsync(int seconds)
{
    var runs = new List<(int Rate, LatencyRun Run)>();
    foreach (var rate in new[] { 500, 250 })
    {
        await ResetAsync();
        var arrivals = System.Threading.Channels.Channel.CreateUnbounded<Guid>();
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Outbox:Transport"] = "RabbitMQ",
            ["Outbox:RabbitMQ:Uri"] = RabbitMQUri(),
            ["Outbox:RabbitMQ:Exchange"] = "outbox-bench-latency",
        }, o =>
        {
            o.Services.AddSingleton(arrivals.Writer);
            o.UseRabbitMQ().AddConsumer<ArrivalHandler>(c =>
            {
                c.Source = "orders.placed";
                c.Name = "bench-latency";
                c.MaxConcurrency = 8;
            });
        });
        await host.StartAsync();
        runs.Add((rate, await MeasureLatencyAsync(host, async () => await arrivals.Reader.ReadAsync(), rate, seconds)));
        await host.StopAsync();
    }

    Console.WriteLine($"## 7. Commit-to-consumer latency through RabbitMQ for {seconds} s per rate (4 writers, consumer with 8 handlers at a time)");
    Console.WriteLine();
    Console.WriteLine("| target rate | achieved | commits started > 10 ms late | p50 ms | p90 ms | p99 ms | max ms |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var (rate, run) in runs)
    {
        Console.WriteLine($"| {rate}/s | {run.Rate:0}/s | {run.Late:N0} | {run.Percentiles()} |");
    }

    Console.WriteLine();
    Console.WriteLine("Measured from SaveChanges returning (the commit) to the consumer's handler running, its inbox transaction open; the first second of each rate is not counted.");
    Console.WriteLine();
}

// (8) Relay of a PostgreSQL backlog to Kafka, against raw Confluent.Kafka produce of the same messages with
// the same producer settings, in batches of the same size, in the same run; over 1,000 keys and over one.
// Kafka is librdkafka's mock cluster in this process: it speaks the protocol on a localhost port, and its
// broker threads take their share of the same two cores in both variants.
async Task KafkaRelayAsync(int count)
{
    const int batch = 500;
    const string topic = "orders.placed";
    var results = new List<(int Keys, TimeSpan Raw, TimeSpan Relay, TimeSpan Store)>();
    // The first round, on a small backlog, is not counted: the relay's code is compiled and tiered up in it,
    // which would otherwise take a core for seconds of a measured round.
    foreach (var keys in new[] { -1, 1000, 1 })
    {
        using var cluster = new MockCluster();
        cluster.CreateTopic(topic, partitions: 6);
        var rows = keys < 0 ? count / 10 : count;
        var raw = await RawKafkaProduceAsync(cluster.BootstrapServers, topic, rows, batch, Math.Abs(keys));
        var relay = await RelayBacklogAsync(rows, Math.Abs(keys), new Dictionary<string, string?>
        {
            ["Outbox:Dispatch:BatchSize"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Outbox:Transport"] = "Kafka",
            ["Outbox:Kafka:BootstrapServers"] = cluster.BootstrapServers,
        }, o => o.UseKafka());
        // The same backlog to the in-memory transport: what claiming and marking the rows cost alone.
        var store = await RelayBacklogAsync(rows, Math.Abs(keys), new Dictionary<string, string?>
        {
            ["Outbox:Dispatch:BatchSize"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        if (keys > 0)
        {
            results.Add((keys, raw, relay, store));
        }
    }

    Console.WriteLine($"## 8. Relay to Kafka (librdkafka's mock cluster, 6 partitions): {count:N0} messages, batches of {batch}");
    Console.WriteLine();
    Console.WriteLine("| keys | raw Confluent.Kafka messages/s | outbox relay to Kafka messages/s | relay / raw | relay to the in-memory transport messages/s |");
    Console.WriteLine("|---:|---:|---:|---:|---:|");
    foreach (var (keys, raw, relay, store) in results)
    {
        Console.WriteLine($"| {keys:N0} | {count / raw.TotalSeconds:N0} | {count / relay.TotalSeconds:N0} | **{raw / relay:0.00}** | {count / store.TotalSeconds:N0} |");
    }

    Console.WriteLine();
    Console.WriteLine("Both produce with enable.idempotence=true and acks=all and wait for every delivery report of a batch; targets: at least 0.8 over 1,000 keys, 0.4 on one key.");
    Console.WriteLine();
    targets.Record("kafka-relay-ratio", results[0].Raw / results[0].Relay);
    targets.Record("kafka-hot-key-ratio", results[1].Raw / results[1].Relay);
}

// Seeds a backlog of count rows over keys and times the relay from starting the host to the last row marked
// dispatched, as the dispatcher's own counter reports (polling the table would load the database).
async Task<TimeSpan> RelayBacklogAsync(int count, int keys, Dictionary<string, string?> settings, Action<IOutboxBuilder>? configure = null)
{
    await ResetAsync();
    await SeedBacklogAsync(count, keys);
    using var host = BuildHost(settings, configure);
    using var dispatched = new DispatchedCounter();
    var relay = Stopwatch.StartNew();
    await host.StartAsync();
    while (dispatched.Count < count)
    {
        await Task.Delay(5);
    }

    relay.Stop();
    await host.StopAsync();
    return relay.Elapsed;
}

// Produces count messages, as the relay would send them, in batches whose delivery reports are all awaited.
static async Task<TimeSpan> RawKafkaProduceAsync(string bootstrapServers, string topic, int count, int batch, int keys)
{
    var config = new Confluent.Kafka.ProducerConfig
    {
        BootstrapServers = bootstrapServers,
        EnableIdempotence = true,
        Acks = Confluent.Kafka.Acks.All,
        AllowAutoCreateTopics = false,
    };
    using var producer = new Confluent.Kafka.ProducerBuilder<byte[]?, byte[]>(config).Build();
    var contentType = System.Text.Encoding.UTF8.GetBytes("application/json");
    var messageType = System.Text.Encoding.UTF8.GetBytes("OrderPlaced");
    var watch = Stopwatch.StartNew();
    for (var sent = 0; sent < count; sent += batch)
    {
        var size = Math.Min(batch, count - sent);
        var left = size;
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = sent; i < sent + size; i++)
        {
            var record = new Confluent.Kafka.Message<byte[]?, byte[]>
            {
                Key = System.Text.Encoding.UTF8.GetBytes($"k{i % keys}"),
                Value = System.Text.Encoding.UTF8.GetBytes($"{{\"orderId\":{i},\"customer\":\"ada\",\"total\":10}}"),
                Timestamp = new Confluent.Kafka.Timestamp(DateTimeOffset.UtcNow),
                Headers = new Confluent.Kafka.Headers
                {
                    { "message-id", System.Text.Encoding.UTF8.GetBytes(Guid.CreateVersion7().ToString()) },
                    { "message-type", messageType },
                    { "content-type", contentType },
                },
            };
            producer.Produce(topic, record, report =>
            {
                if (report.Error.IsError)
                {
                    reported.TrySetException(new Confluent.Kafka.KafkaException(report.Error));
                }
                else if (Interlocked.Decrement(ref left) == 0)
                {
                    reported.TrySetResult();
                }
            });
        }

        await reported.Task;
    }

    return watch.Elapsed;
}

string RabbitMQUri() => Environment.GetEnvironmentVariable("OUTBOX_BENCH_RABBITMQ") is { Length: > 0 } u ? u : "amqp://guest:guest@127.0.0.1:5672/";

// (6) Relay of a PostgreSQL backlog to RabbitMQ, against raw RabbitMQ.Client publishing of the same
// messages with pipelined confirms, in batches of the same size, in the same run.
async Task RabbitMQRelayAsync(int count)
{
    const int batch = 500;
    var uri = RabbitMQUri();
    const string exchange = "outbox-bench";
    await using var connection = await new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
    await using var channel = await connection.CreateChannelAsync(new RabbitMQ.Client.CreateChannelOptions(true, true, outstandingPublisherConfirmationsRateLimiter: null));
    await channel.ExchangeDeclareAsync(exchange, "topic", durable: true);
    await channel.QueueDeclareAsync(exchange, durable: true, exclusive: false, autoDelete: false);
    await channel.QueueBindAsync(exchange, exchange, "orders.placed");
    await channel.QueuePurgeAsync(exchange);

    var body = System.Text.Encoding.UTF8.GetBytes("{\"orderId\":1,\"customer\":\"ada\",\"total\":10}");
    var raw = Stopwatch.StartNew();
    for (var sent = 0; sent < count; sent += batch)
    {
        var confirms = new List<Task>(batch);
        for (var i = sent; i < Math.Min(count, sent + batch); i++)
        {
            var properties = new RabbitMQ.Client.BasicProperties
            {
                MessageId = Guid.NewGuid().ToString(),
                Type = "OrderPlaced",
                ContentType = "application/json",
                DeliveryMode = RabbitMQ.Client.DeliveryModes.Persistent,
                Headers = new Dictionary<string, object?> { ["outbox-key"] = $"k{i % 1000}" },
            };
            confirms.Add(channel.BasicPublishAsync(exchange, "orders.placed", mandatory: true, properties, body).AsTask());
        }

        await Task.WhenAll(confirms);
    }

    raw.Stop();
    await channel.QueuePurgeAsync(exchange);

    // The relay with its default settings: claims grow from 100 to 1,000 under the backlog.
    var relay = await RelayBacklogAsync(count, keys: 1000, new Dictionary<string, string?>
    {
        ["Outbox:Transport"] = "RabbitMQ",
        ["Outbox:RabbitMQ:Uri"] = uri,
        ["Outbox:RabbitMQ:Exchange"] = exchange,
    }, o => o.UseRabbitMQ());
    var queued = (await channel.QueueDeclarePassiveAsync(exchange)).MessageCount;
    await channel.QueuePurgeAsync(exchange);

    var rawRate = count / raw.Elapsed.TotalSeconds;
    var relayRate = count / relay.TotalSeconds;
    Console.WriteLine($"## 6. Relay to RabbitMQ: {count} messages over 1,000 keys; raw in batches of {batch}, the relay with its default settings");
    Console.WriteLine();
    Console.WriteLine("| variant | seconds | messages/s |");
    Console.WriteLine("|---|---:|---:|");
    Console.WriteLine($"| raw RabbitMQ.Client, pipelined confirms | {raw.Elapsed.TotalSeconds:0.00} | {rawRate:0} |");
    Console.WriteLine($"| outbox relay from a PostgreSQL backlog | {relay.TotalSeconds:0.00} | {relayRate:0} |");
    Console.WriteLine();
    Console.WriteLine($"relay / raw throughput: **{relayRate / rawRate:0.00}** (target at least 0.8); messages in the queue after the relay: {queued}");
    targets.Record("rabbitmq-relay-ratio", relayRate / rawRate);
    Console.WriteLine();
}

// (1) A business transaction with one outbox message, against the same transaction without it.
async Task TransactionOverheadAsync(int iterations, bool dispatcherRunning)
{
    await ResetAsync();
    using var host = BuildHost(new Dictionary<string, string?>());
    if (dispatcherRunning)
    {
        await host.StartAsync();
    }

    var variants = new (string Name, Func<Task> Run)[]
    {
        ("raw ADO.NET INSERT of the order (autocommit)", RawInsertAsync),
        ("raw ADO.NET transaction: order + 2 lines", () => RawTransactionAsync(outboxRow: false)),
        ("raw ADO.NET transaction: order + 2 lines + outbox row", () => RawTransactionAsync(outboxRow: true)),
        ("EF: order (one INSERT, so EF Core uses no transaction)", () => PlaceOrderAsync(host, lines: 0, publish: false)),
        ("EF: order + outbox message", () => PlaceOrderAsync(host, lines: 0, publish: true)),
        ("EF: order + 2 lines (a transaction)", () => PlaceOrderAsync(host, lines: 2, publish: false)),
        ("EF: order + 2 lines + outbox message", () => PlaceOrderAsync(host, lines: 2, publish: true)),
    };
    var times = variants.Select(_ => new List<double>()).ToArray();
    for (var i = 0; i < iterations + 200; i++)
    {
        // Interleaved so that drift (autovacuum, checkpoints) falls on every variant alike; the first 200 warm up.
        for (var v = 0; v < variants.Length; v++)
        {
            var elapsed = await TimeAsync(variants[v].Run);
            if (i >= 200)
            {
                times[v].Add(elapsed);
            }
        }
    }

    var title = dispatcherRunning
        ? "dispatcher running: each message is also sent and marked dispatched on the same 2 cores"
        : "dispatcher stopped: the cost inside the transaction alone";
    Console.WriteLine($"## 1{(dispatcherRunning ? "b" : "a")}. Business transaction with one outbox message ({iterations} each, interleaved; {title})");
    Console.WriteLine();
    Console.WriteLine("| variant | median ms | p99 ms |");
    Console.WriteLine("|---|---|---|");
    for (var v = 0; v < variants.Length; v++)
    {
        Console.WriteLine($"| {variants[v].Name} | {Stats.Median(times[v]):0.000} | {Stats.Percentile(times[v], 99):0.000} |");
    }

    Console.WriteLine();
    Console.WriteLine($"ratio with/without message (median): EF order + 2 lines **{Stats.Median(times[6]) / Stats.Median(times[5]):0.00}**; EF single INSERT {Stats.Median(times[4]) / Stats.Median(times[3]):0.00}; raw SQL order + 2 lines {Stats.Median(times[2]) / Stats.Median(times[1]):0.00} (target at most 1.15)");
    if (!dispatcherRunning)
    {
        targets.Record("transaction-ratio", Stats.Median(times[6]) / Stats.Median(times[5]));
    }
    Console.WriteLine();
    if (dispatcherRunning)
    {
        await host.StopAsync();
    }
}

async Task RawTransactionAsync(bool outboxRow)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var transaction = await connection.BeginTransactionAsync();
    var sql = """
        INSERT INTO orders ("Customer", "Total") VALUES ('ada', 10);
        INSERT INTO order_lines ("OrderId", "Sku", "Quantity") VALUES (0, 'sku-0', 1), (0, 'sku-1', 1);
        """;
    if (outboxRow)
    {
        sql += """
            INSERT INTO outbox_messages (message_id, destination, message_type, payload, status, kind, created_at, due_at, next_attempt_at, attempts, check_count, lease_owner, lease_expires_at)
            VALUES (gen_random_uuid(), 'orders.placed', 'OrderPlaced', '\x7b7d', 0, 0, now(), now(), now(), 0, 0, 'bench', now());
            """;
    }

    await using var command = new NpgsqlCommand(sql, connection, transaction);
    await command.ExecuteNonQueryAsync();
    await transaction.CommitAsync();
}

async Task RawInsertAsync()
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("INSERT INTO orders (\"Customer\", \"Total\") VALUES ('ada', 10)", connection);
    await command.ExecuteNonQueryAsync();
}

// (2) Relay throughput from a backlog of pending rows to the in-memory transport.
async Task RelayThroughputAsync(int rows)
{
    Console.WriteLine($"## 2. Relay throughput from a backlog of {rows:N0} rows (in-memory transport)");
    Console.WriteLine();
    Console.WriteLine("| backlog | batch size | seconds | messages/s |");
    Console.WriteLine("|---|---|---|---|");
    // 0: the default (claims grow from 100 to Dispatch:BatchSize, 1,000, under a backlog).
    foreach (var (batchSize, keys) in new[] { (100, 0), (500, 0), (0, 0), (0, 1000), (0, 1) })
    {
        await ResetAsync();
        await SeedBacklogAsync(rows, keys);
        using var host = BuildHost(batchSize == 0 ? [] : new Dictionary<string, string?> { ["Outbox:Dispatch:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var transport = host.Services.GetRequiredService<InMemoryTransport>();
        var watch = Stopwatch.StartNew();
        await host.StartAsync();
        while (transport.Sent.Count < rows)
        {
            await Task.Delay(5);
        }

        watch.Stop();
        await host.StopAsync();
        var backlog = keys switch { 0 => "no keys", 1 => "one key (in order)", _ => $"{keys:N0} keys (in order per key)" };
        Console.WriteLine($"| {backlog} | {(batchSize == 0 ? "default (100 growing to 1,000)" : batchSize)} | {watch.Elapsed.TotalSeconds:0.00} | {rows / watch.Elapsed.TotalSeconds:N0} |");
    }

    // The baseline: the same messages handed straight to the transport, with no database.
    var baseline = new InMemoryTransport();
    var messages = Enumerable.Range(0, rows).Select(i => new TransportMessage(Guid.CreateVersion7(), "orders.placed", "OrderPlaced", null, new byte[60], "application/json", new Dictionary<string, string>(), DateTimeOffset.UtcNow)).ToList();
    var raw = Stopwatch.StartNew();
    foreach (var chunk in messages.Chunk(500))
    {
        await baseline.SendAsync(chunk, CancellationToken.None);
    }

    raw.Stop();
    Console.WriteLine($"| raw transport, no database | 500 | {raw.Elapsed.TotalSeconds:0.00} | {rows / raw.Elapsed.TotalSeconds:N0} |");
    Console.WriteLine();
}

// (3) Commit-to-send latency at a steady rate, from several writers as a web application has.
async Task LatencyAsync(int messagesPerSecond, int seconds)
{
    await ResetAsync();
    using var host = await StartHostAsync(new Dictionary<string, string?>());
    var received = host.Services.GetRequiredService<InMemoryTransport>().Subscribe("orders.placed");
    var run = await MeasureLatencyAsync(host, async () => (await received.ReadAsync()).MessageId, messagesPerSecond, seconds);
    await host.StopAsync();
    Console.WriteLine($"## 3. Commit-to-send latency at {messagesPerSecond} messages/s for {seconds} s ({run.Describe()})");
    run.PrintTable();
    Console.WriteLine("Measured from SaveChanges returning (the commit) to the transport accepting the message; target p99 under 10 ms.");
    targets.Record("latency-p99-ms", Stats.Percentile(run.Latencies, 99));
}

// Commits one outbox message per business transaction at a steady rate, from several writers, and
// measures for each the time from SaveChanges returning to nextArrival reporting its id. The first
// second is not counted: JIT and connection pool warm-up.
async Task<LatencyRun> MeasureLatencyAsync(IHost host, Func<Task<Guid>> nextArrival, int messagesPerSecond, int seconds)
{
    const int writers = 4;
    var committedAt = new ConcurrentDictionary<Guid, long>();
    var latencies = new List<double>();
    var warmUp = messagesPerSecond;
    var total = messagesPerSecond * seconds + warmUp;
    var reader = Task.Run(async () =>
    {
        for (var n = 0; n < total; n++)
        {
            var id = await nextArrival();
            var now = Stopwatch.GetTimestamp();
            long committed;
            while (!committedAt.TryGetValue(id, out committed))
            {
                await Task.Yield();
            }

            if (n >= warmUp)
            {
                latencies.Add(Stopwatch.GetElapsedTime(committed, now).TotalMilliseconds);
            }
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
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (due - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency) / 2));
            }

            if (Stopwatch.GetTimestamp() - due > Stopwatch.Frequency / 100)
            {
                Interlocked.Increment(ref late);
            }

            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BenchContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            db.Orders.Add(new Order { Customer = "ada", Total = 10m });
            var id = await outbox.PublishAsync(new OrderPlaced(i, "ada", 10m));
            await db.SaveChangesAsync();
            committedAt[id] = Stopwatch.GetTimestamp();
        }
    })));

    var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
    await reader.WaitAsync(TimeSpan.FromSeconds(60));
    return new LatencyRun(latencies, warmUp, writers, total / elapsed, late);
}

// (4) The check job resolving stale half messages through their check callback.
async Task CheckJobAsync(int rows)
{
    await ResetAsync();
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand(
            """
            INSERT INTO outbox_messages (message_id, destination, message_type, payload, status, kind, created_at, due_at, next_attempt_at, attempts, check_count)
            SELECT gen_random_uuid(), 'payments.requested', 'PaymentRequested', convert_to('{"orderId":' || g || ',"amount":10}', 'UTF8'),
                   0, 1, now() - interval '1 minute', now() - interval '1 minute', now() - interval '1 minute', 0, 0
            FROM generate_series(1, @rows) g;
            ANALYZE outbox_messages;
            """,
            connection);
        seed.Parameters.AddWithValue("rows", rows);
        await seed.ExecuteNonQueryAsync();
    }

    using var host = BuildHost(new Dictionary<string, string?>());
    var maintenance = host.Services.GetRequiredService<Outbox.Scheduling.OutboxMaintenance>();
    var watch = Stopwatch.StartNew();
    var resolved = await maintenance.RecoverAsync(CancellationToken.None);
    watch.Stop();
    Console.WriteLine();
    Console.WriteLine($"## 4. Check job: {rows:N0} stale half messages, each checked through its callback (answering Commit at once)");
    Console.WriteLine();
    Console.WriteLine("| rows resolved | seconds | rows/s |");
    Console.WriteLine("|---|---|---|");
    Console.WriteLine($"| {resolved:N0} | {watch.Elapsed.TotalSeconds:0.00} | {resolved / watch.Elapsed.TotalSeconds:N0} |");
    Console.WriteLine();
    Console.WriteLine("Default settings: CheckBatchSize 500, CheckConcurrency 8; target at least 2,000 rows/s.");
    targets.Record("check-job-rows-per-second", resolved / watch.Elapsed.TotalSeconds);
}

// (5) Handling messages with the inbox against the same handler without it.
async Task InboxAsync(int messages, int concurrency)
{
    await ResetAsync();
    using var host = BuildHost(new Dictionary<string, string?>(), o => o.AddConsumer<RecordOrderHandler>(c =>
    {
        c.Source = "orders.placed";
        c.Name = "bench";
    }));
    var consumers = host.Services.GetRequiredService<Outbox.Consumers.ConsumerHost>();
    var registration = host.Services.GetServices<Outbox.Consumers.ConsumerRegistration>().Single();
    var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency };
    var serializer = host.Services.GetRequiredService<Outbox.Serialization.IMessageSerializer>();
    var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new OrderPlaced(1, "ada", 10m), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
    List<TransportMessage> Batch(int count) => Enumerable.Range(0, count)
        .Select(_ => new TransportMessage(Guid.CreateVersion7(), "orders.placed", "OrderPlaced", null, body, "application/json", new Dictionary<string, string>(), DateTimeOffset.UtcNow))
        .ToList();

    // Without the inbox: the same handler, the body read by the same serializer, its changes saved in
    // a transaction the way the pipeline saves them (no savepoints): the difference is the inbox row alone.
    async Task WithoutInboxAsync(IReadOnlyList<TransportMessage> batch) => await Parallel.ForEachAsync(batch, parallel, async (message, ct) =>
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BenchContext>();
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var payload = (OrderPlaced)serializer.Deserialize(message.Body.Span, typeof(OrderPlaced));
        await scope.ServiceProvider.GetRequiredService<RecordOrderHandler>().HandleAsync(payload, null!, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    });

    async Task WithInboxAsync(IReadOnlyList<TransportMessage> batch) => await Parallel.ForEachAsync(batch, parallel, async (message, ct) =>
    {
        var outcome = (await consumers.ProcessAsync(registration, new BenchDelivery(message), ct)).Outcome;
        if (outcome.Result != Outbox.Consumers.InboxResult.Handled)
        {
            throw new InvalidOperationException($"Unexpected outcome {outcome.Result}: {outcome.Error}");
        }
    });

    // Five rounds, alternating, so that the tables' growth and checkpoints fall on both alike.
    const int rounds = 5;
    var withoutWatch = new Stopwatch();
    var withWatch = new Stopwatch();
    for (var round = 0; round < rounds; round++)
    {
        var plain = Batch(messages / rounds);
        withoutWatch.Start();
        await WithoutInboxAsync(plain);
        withoutWatch.Stop();

        var inboxed = Batch(messages / rounds);
        withWatch.Start();
        await WithInboxAsync(inboxed);
        withWatch.Stop();
    }

    Console.WriteLine();
    Console.WriteLine($"## 5. Consumer: {messages:N0} messages each way, {concurrency} at a time, with the inbox and without it (5 alternating rounds)");
    Console.WriteLine();
    Console.WriteLine("| variant | seconds | messages/s |");
    Console.WriteLine("|---|---|---|");
    Console.WriteLine($"| handler in a transaction, no inbox | {withoutWatch.Elapsed.TotalSeconds:0.00} | {messages / withoutWatch.Elapsed.TotalSeconds:N0} |");
    Console.WriteLine($"| inbox pipeline (inbox row + handler, one transaction) | {withWatch.Elapsed.TotalSeconds:0.00} | {messages / withWatch.Elapsed.TotalSeconds:N0} |");
    Console.WriteLine();
    Console.WriteLine($"time ratio with/without inbox: **{withWatch.Elapsed.TotalSeconds / withoutWatch.Elapsed.TotalSeconds:0.00}** (target at most 1.3)");
    targets.Record("inbox-ratio", withWatch.Elapsed.TotalSeconds / withoutWatch.Elapsed.TotalSeconds);
}

async Task<double> TimeAsync(Func<Task> action)
{
    var start = Stopwatch.GetTimestamp();
    await action();
    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

async Task PlaceOrderAsync(IHost host, int lines, bool publish)
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
        await scope.ServiceProvider.GetRequiredService<IOutbox>().PublishAsync(new OrderPlaced(0, "ada", 10m));
    }

    await db.SaveChangesAsync();
}

IHost BuildHost(Dictionary<string, string?> settings, Action<IOutboxBuilder>? configure = null)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);
    builder.Configuration.AddInMemoryCollection(settings);
    builder.Services.AddDbContext<BenchContext>((sp, o) => o.UseNpgsql(connectionString).UseOutbox(sp));
    var outbox = builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), o => o.Route<OrderPlaced>("orders.placed").Route<PaymentRequested>("payments.requested"))
        .UseEntityFrameworkCore<BenchContext>()
        .UseInMemoryTransport(o => o.Mandatory = false) // the relay is measured, not a receiver: nobody subscribes
        .AddTransactionCheck<PaymentRequested, CommitCheck>();
    configure?.Invoke(outbox);
    return builder.Build();
}

async Task<IHost> StartHostAsync(Dictionary<string, string?> settings)
{
    var host = BuildHost(settings);
    await host.StartAsync();
    return host;
}

async Task ResetAsync()
{
    NpgsqlConnection.ClearAllPools();
    await using var db = new BenchContext(new DbContextOptionsBuilder<BenchContext>().UseNpgsql(connectionString).Options);
    for (var attempt = 1; ; attempt++)
    {
        try
        {
            await db.Database.EnsureDeletedAsync();
            break;
        }
        catch (PostgresException) when (attempt < 10)
        {
            // An autovacuum worker may still be busy in the database after a large run.
            await Task.Delay(500);
        }
    }

    await db.Database.EnsureCreatedAsync();
    NpgsqlConnection.ClearAllPools();
}

async Task SeedBacklogAsync(int rows, int keys)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(
        """
        INSERT INTO outbox_messages (message_id, destination, message_type, message_key, payload, status, kind, created_at, due_at, next_attempt_at, attempts, check_count)
        SELECT gen_random_uuid(), 'orders.placed', 'OrderPlaced', CASE WHEN @keys > 0 THEN 'k' || (g % @keys) END, convert_to('{"orderId":' || g || ',"customer":"ada","total":10}', 'UTF8'),
               1, 0, now(), now(), now(), 0, 0
        FROM generate_series(1, @rows) g;
        ANALYZE outbox_messages;
        """,
        connection);
    command.Parameters.AddWithValue("rows", rows);
    command.Parameters.AddWithValue("keys", keys);
    await command.ExecuteNonQueryAsync();
}

async Task<string> ServerVersionAsync()
{
    await using var connection = new NpgsqlConnection(server);
    await connection.OpenAsync();
    return connection.ServerVersion;
}
