using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Outbox.Testing;

namespace Outbox.Tests;

public sealed class PostgreSqlOutboxScenarios : OutboxScenarios
{
    protected override bool ClaimsConcurrently => true;

    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();

    [Fact]
    public async Task DeadLetterRetention_FourInstancesAtOnce_DeleteEachOldOneOnce_AndSkipARowAnotherTransactionHolds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new Dictionary<string, string?> { ["Outbox:Retention:KeepDeadLettersFor"] = "7.00:00:00", ["Outbox:Retention:BatchSize"] = "50" };
        var instances = Enumerable.Range(0, 4).Select(_ => Host(time, settings: settings)).ToList();
        await using var connection = new NpgsqlConnection(((PostgreSqlTestDatabase)Database).ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(
            connection,
            """
            INSERT INTO outbox_dead_letters (message_id, destination, message_type, payload, source, reason, attempts, created_at, dead_lettered_at)
            SELECT gen_random_uuid(), 'orders.placed', 'OrderPlaced', convert_to('{}', 'UTF8'), 'dispatch', 'max-attempts', 10,
                   @now - interval '9 days', @now - (CASE WHEN n <= 2000 THEN interval '8 days' ELSE interval '1 day' END)
            FROM generate_series(1, 2010) AS n
            """,
            time.GetUtcNow().UtcDateTime);

        // Another transaction (a person requeueing it, say) holds one of the old ones.
        await using var holder = new NpgsqlConnection(((PostgreSqlTestDatabase)Database).ConnectionString);
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await ExecuteAsync(holder, "SELECT id FROM outbox_dead_letters ORDER BY id LIMIT 1 FOR UPDATE", null);

        var deleted = await Task.WhenAll(instances.Select(i => i.Maintenance.CleanUpAsync(CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1999, deleted.Sum());
        Assert.Equal(11L, await CountAsync(connection));
        await held.RollbackAsync();
        Assert.Equal(1, await instances[0].Maintenance.CleanUpAsync(CancellationToken.None));
        Assert.Equal(10L, await CountAsync(connection));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, DateTime? now)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (now is { } value)
        {
            command.Parameters.AddWithValue("now", value);
        }

        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM outbox_dead_letters", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    // Npgsql enlists in System.Transactions; EF Core's SQLite provider does not, so this runs here only.
    [Fact]
    public async Task TransactionScope_Completed_Sends_Disposed_SendsNothing()
    {
        var host = Host();
        using (var scope = new System.Transactions.TransactionScope(System.Transactions.TransactionScopeAsyncFlowOption.Enabled))
        {
            await host.PlaceOrderAsync(new OrderPlaced(1, "kept"));
            await host.DrainAsync();
            Assert.Empty(host.Memory.Sent);
            scope.Complete();
        }

        using (new System.Transactions.TransactionScope(System.Transactions.TransactionScopeAsyncFlowOption.Enabled))
        {
            await host.PlaceOrderAsync(new OrderPlaced(2, "dropped"));
        }

        await host.DrainAsync();

        Assert.Equal(["kept"], host.Memory.Sent.Select(Customer));
        Assert.Single(await host.RowsAsync());
    }

    [Fact]
    public async Task OrderAndMessage_AreSavedInOneRoundTrip_WithoutATransactionOfEfCores()
    {
        var logs = new LogCapture();
        var host = Host(services: s => s.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs)));

        var id = await host.PlaceOrderAsync(new OrderPlaced(1, "ada"));
        var saving = logs.Entries;
        await host.DrainAsync();

        Assert.Single(saving, e => e.EventId.Id == RelationalEventId.CommandExecuted.Id);
        Assert.DoesNotContain(saving, e => e.EventId.Id == RelationalEventId.TransactionStarted.Id);
        Assert.Equal(1, await host.CountOrdersAsync());
        Assert.Equal(id, Assert.Single(host.Memory.Sent).MessageId);
    }

    [Fact]
    public async Task OneRoundTrip_LastInsertFails_RollsBackTheInsertsBeforeIt_AndSendsNothing()
    {
        var host = Host();
        var id = await host.PlaceOrderAsync(new OrderPlaced(1, "ada"));
        await host.DrainAsync();

        // The order's INSERT runs first in the batch; the message's, with an id already taken, then fails.
        await Assert.ThrowsAsync<DbUpdateException>(() => host.PlaceOrderAsync(new OrderPlaced(2, "bob"), new PublishOptions { MessageId = id }));
        await host.InScopeAsync(async (db, outbox) =>
        {
            db.Orders.Add(new Order { Customer = "cy" });
            await outbox.PublishAsync(new OrderPlaced(3, "cy"), new PublishOptions { MessageId = id });
            Assert.Throws<DbUpdateException>(() => db.SaveChanges()); // the synchronous path too
        });
        await host.DrainAsync();
        host.Time.Advance(TimeSpan.FromMinutes(5));
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        await host.PollUntilIdleAsync();

        Assert.Equal(1, await host.CountOrdersAsync());
        Assert.Single(await host.RowsAsync());
        Assert.Equal(["ada"], host.Memory.Sent.Select(Customer));
    }

    [Fact]
    public async Task SaveWithAnUpdate_RunsInEfCoresTransaction()
    {
        var logs = new LogCapture();
        var host = Host(services: s => s.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs)));
        await host.PlaceOrderAsync(new OrderPlaced(1, "ada"));
        await host.DrainAsync();
        var before = logs.Entries.Count;

        // An UPDATE's rows-affected check runs after its batch: only a transaction can undo the batch then.
        await host.InScopeAsync(async (db, outbox) =>
        {
            var order = await db.Orders.SingleAsync();
            order.Total = 20m;
            await outbox.PublishAsync(new OrderPlaced(order.Id, "ada again"));
            await db.SaveChangesAsync();
        });
        var saving = logs.Entries.Skip(before).ToList();
        await host.DrainAsync();

        Assert.Single(saving, e => e.EventId.Id == RelationalEventId.TransactionStarted.Id);
        Assert.Single(saving, e => e.EventId.Id == RelationalEventId.TransactionCommitted.Id);
        Assert.Equal(["ada", "ada again"], host.Memory.Sent.Select(Customer));
    }
}
