using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.EntityFrameworkCore.Storage;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// What a claim reads on PostgreSQL: as a key's backlog drains, its dispatched rows pile up behind the ones
/// still to send, and a claim must not read through them, whatever the planner's statistics say.
/// </summary>
public sealed class ClaimPlanTests : IAsyncLifetime
{
    private const int Rows = 20_000;
    private const int Dispatched = 10_000;
    private const int BatchSize = 1_000;

    private readonly PostgreSqlTestDatabase _database = new();
    private OutboxTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await _database.CreateAsync();
        _host = OutboxTestHost.Create(_database, new FakeTimeProvider(DateTimeOffset.UtcNow));
        await _database.ScalarAsync(
            $$"""
            INSERT INTO outbox_messages (message_id, destination, message_type, message_key, payload, status, kind, created_at, due_at, next_attempt_at, attempts, check_count)
            SELECT gen_random_uuid(), 'orders.placed', 'OrderPlaced', 'hot', convert_to('{}', 'UTF8'), 1, 0, now() - interval '1 minute', now() - interval '1 minute', now() - interval '1 minute', 0, 0
            FROM generate_series(1, {{Rows}})
            """);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task OneKeyHalfSent_StatisticsFromWhenAllWereUnsent_TheClaimDoesNotReadThroughTheSentRows()
    {
        // Statistics taken while every row was unsent, as after a backlog built up in an outage; then the
        // relay sends half of it.
        await _database.ScalarAsync("ANALYZE outbox_messages");
        await _database.ScalarAsync($"UPDATE outbox_messages SET status = 2, dispatched_at = now() WHERE id <= (SELECT min(id) + {Dispatched - 1} FROM outbox_messages)");
        await _database.ScalarAsync("VACUUM outbox_messages"); // what autovacuum does in time; it leaves the statistics as they were

        var plan = await ExplainClaimAsync();

        // A scan of the table may read the window's rows (the run's end is looked for among them), no more.
        var filtered = Nodes(plan)
            .Where(n => n.TryGetProperty("Relation Name", out var table) && table.GetString() == "outbox_messages")
            .Select(n => n.TryGetProperty("Rows Removed by Filter", out var removed) ? removed.GetInt64() : 0)
            .Max();
        Assert.True(filtered <= BatchSize, $"a scan of the claim filtered out {filtered} rows: it read through the key's dispatched rows");
        Assert.Equal(BatchSize, plan.GetProperty("Actual Rows").GetInt64());
    }

    private async Task<JsonElement> ExplainClaimAsync()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<ShopContext>();
        var sql = string.Format(CultureInfo.InvariantCulture, PostgreSqlDialect.Instance.ClaimOf(context, hold: true), "'a'", "now() + interval '30 seconds'", "now()", BatchSize);
        using var json = JsonDocument.Parse((string)(await _database.ScalarAsync("EXPLAIN (ANALYZE, FORMAT JSON) " + sql))!);
        return json.RootElement[0].GetProperty("Plan").Clone();
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children)
            ? children.EnumerateArray().SelectMany(Nodes).Prepend(node)
            : [node];
}
