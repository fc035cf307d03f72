using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Outbox.Benchmarks;

/// <summary>
/// (4) The check job resolving stale half messages through their check callback.
/// </summary>
internal sealed class CheckJobScenario(BenchEnvironment env) : Scenario
{
    public override string Section => "4";

    public override async Task RunAsync()
    {
        await CheckJobAsync(10_000);
    }

    private async Task CheckJobAsync(int rows)
    {
        await env.ResetAsync();
        await using (var connection = new NpgsqlConnection(env.ConnectionString))
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

        using var host = env.BuildHost(new Dictionary<string, string?>());
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
        env.Targets.Record("check-job-rows-per-second", resolved / watch.Elapsed.TotalSeconds);
    }
}
