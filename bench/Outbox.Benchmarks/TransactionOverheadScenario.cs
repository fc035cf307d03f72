using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Outbox.Benchmarks;

/// <summary>
/// (1) A business transaction with one outbox message, against the same transaction without it.
/// </summary>
internal sealed class TransactionOverheadScenario(BenchEnvironment env) : Scenario
{
    public override string Section => "1";

    public override async Task RunAsync()
    {
        await TransactionOverheadAsync(env.Quick ? 500 : 3000, dispatcherRunning: false);
        await TransactionOverheadAsync(env.Quick ? 500 : 3000, dispatcherRunning: true);
    }

    private async Task TransactionOverheadAsync(int iterations, bool dispatcherRunning)
    {
        await env.ResetAsync();
        using var host = env.BuildHost(new Dictionary<string, string?>());
        if (dispatcherRunning)
        {
            await host.StartAsync();
        }

        var variants = new (string Name, Func<Task> Run)[]
        {
            ("raw ADO.NET INSERT of the order (autocommit)", RawInsertAsync),
            ("raw ADO.NET transaction: order + 2 lines", () => RawTransactionAsync(outboxRow: false)),
            ("raw ADO.NET transaction: order + 2 lines + outbox row", () => RawTransactionAsync(outboxRow: true)),
            ("EF: order (one INSERT, so EF Core uses no transaction)", () => env.PlaceOrderAsync(host, lines: 0, publish: false)),
            ("EF: order + outbox message", () => env.PlaceOrderAsync(host, lines: 0, publish: true)),
            ("EF: order + 2 lines (a transaction)", () => env.PlaceOrderAsync(host, lines: 2, publish: false)),
            ("EF: order + 2 lines + outbox message", () => env.PlaceOrderAsync(host, lines: 2, publish: true)),
        };
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (var i = 0; i < iterations + 200; i++)
        {
            // Interleaved so that drift (autovacuum, checkpoints) falls on every variant alike; the first 200 warm up.
            for (var v = 0; v < variants.Length; v++)
            {
                var elapsed = await env.TimeAsync(variants[v].Run);
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
            env.Targets.Record("transaction-ratio", Stats.Median(times[6]) / Stats.Median(times[5]));
        }
        Console.WriteLine();
        if (dispatcherRunning)
        {
            await host.StopAsync();
        }
    }

    private async Task RawTransactionAsync(bool outboxRow)
    {
        await using var connection = new NpgsqlConnection(env.ConnectionString);
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

    private async Task RawInsertAsync()
    {
        await using var connection = new NpgsqlConnection(env.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("INSERT INTO orders (\"Customer\", \"Total\") VALUES ('ada', 10)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
