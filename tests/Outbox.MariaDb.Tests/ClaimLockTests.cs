using System.Data;
using Microsoft.EntityFrameworkCore;
using MySql.Data.MySqlClient;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// On MariaDB a claim locks only the due rows it takes: while one claim holds its window, another takes the next
/// rows. It rests on the index on (status, next_attempt_at, id) giving the rows in the claim's order; without it
/// MariaDB sorts after scanning, locks every due row, and the second claim gets nothing.
/// </summary>
public sealed class ClaimLockTests : IAsyncLifetime
{
    private const int Rows = 400;
    private const int Batch = 100;

    private readonly MariaDbTestDatabase _database = new();

    public async Task InitializeAsync()
    {
        await _database.CreateAsync();
        await _database.ScalarAsync(
            $$"""
            INSERT INTO outbox_messages (message_id, destination, message_type, payload, status, kind, created_at, due_at, next_attempt_at, attempts, check_count)
            SELECT UUID(), 'orders.placed', 'OrderPlaced', '{}', 1, 0, NOW(6), NOW(6) - INTERVAL seq SECOND, NOW(6) - INTERVAL seq SECOND, 0, 0
            FROM seq_1_to_{{Rows}}
            """);
    }

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public async Task WhileOneClaimHoldsItsWindow_AnotherLeasesTheNextRows()
    {
        await using var holder = new MySqlConnection(_database.ConnectionString);
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync(IsolationLevel.ReadCommitted);
        await using var window = new MySqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, MySqlDialect.Window("outbox_messages"), "@now", Batch), holder, held);
        window.Parameters.AddWithValue("@now", DateTime.UtcNow.AddMinutes(1));
        var first = new List<long>();
        await using (var reader = await window.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                first.Add(reader.GetInt64(0));
            }
        }

        var options = new DbContextOptionsBuilder<ShopContext>();
        _database.Configure(options);
        await using var context = new ShopContext(options.Options);
        var second = await MySqlDialect.Instance.LeaseAsync(context, "second", DateTime.UtcNow.AddMinutes(1), DateTime.UtcNow.AddMinutes(2), Batch, CancellationToken.None);

        Assert.Equal(Batch, first.Count);
        Assert.Equal(Batch, second.Count);
        Assert.Empty(second.Select(r => r.Id).Intersect(first));
    }
}
