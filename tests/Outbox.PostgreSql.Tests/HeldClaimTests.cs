using Microsoft.Extensions.DependencyInjection;
using Outbox.Storage;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// On PostgreSQL a claim holds its rows with row locks in an open transaction instead of leasing them: what
/// frees them when the instance that claimed them dies, or hangs.
/// </summary>
public sealed class HeldClaimTests : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();
    private OutboxTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await _database.CreateAsync();
        _host = OutboxTestHost.Create(_database, new FakeTimeProvider(DateTimeOffset.UtcNow));
        await ScalarAsync(
            """
            INSERT INTO outbox_messages (message_id, destination, message_type, message_key, payload, status, kind, created_at, due_at, next_attempt_at, attempts, check_count)
            SELECT gen_random_uuid(), 'orders.placed', 'OrderPlaced', 'k', convert_to('{}', 'UTF8'), 1, 0, now() - interval '1 minute', now() - interval '1 minute', now() - interval '1 minute', 0, 0
            FROM generate_series(1, 3)
            RETURNING 0
            """);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    private IDispatchStore Store => _host.Services.GetRequiredService<IOutboxStore>().Dispatch;

    private DateTimeOffset Now => _host.Time.GetUtcNow();

    [Fact]
    public async Task ClaimedRows_AreNotWrittenUntilTheirOutcome_AndNoOtherClaimTakesThem()
    {
        await using var claim = await Store.ClaimAsync("a", Now, Now.AddSeconds(30), 100, CancellationToken.None);
        await using var other = await Store.ClaimAsync("b", Now, Now.AddSeconds(30), 100, CancellationToken.None);

        Assert.Equal(3, claim.Messages.Count);
        Assert.Empty(other.Messages);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM outbox_messages WHERE lease_owner IS NOT NULL"));
    }

    [Fact]
    public async Task InstanceDies_ItsConnectionDrops_AndTheRowsAreClaimedAtOnce_NotAfterTheLease()
    {
        var claim = await Store.ClaimAsync("a", Now, Now.AddSeconds(30), 100, CancellationToken.None);
        Assert.Equal(3, claim.Messages.Count);

        // What the server sees when the process that held the connection is killed.
        Assert.Equal(1L, await ScalarAsync("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'"));

        await using var next = await Store.ClaimAsync("b", Now, Now.AddSeconds(30), 100, CancellationToken.None);
        Assert.Equal(claim.Messages.Select(m => m.Id), next.Messages.Select(m => m.Id).Order());
        await Assert.ThrowsAnyAsync<Exception>(() => claim.MarkDispatchedAsync([claim.Messages[0].Id], Now, CancellationToken.None));
        await claim.DisposeAsync();
    }

    [Fact]
    public async Task InstanceHangsPastItsLease_TheServerEndsTheClaim_AndAnotherInstanceTakesTheRows()
    {
        var claim = await Store.ClaimAsync("a", Now, Now.AddMilliseconds(500), 100, CancellationToken.None);
        Assert.Equal(3, claim.Messages.Count);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        IDispatchClaim next;
        while ((next = await Store.ClaimAsync("b", Now, Now.AddSeconds(30), 100, CancellationToken.None)).Messages.Count == 0)
        {
            await next.DisposeAsync();
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the hung claim was never ended");
            await Task.Delay(100);
        }

        await using (next)
        {
            Assert.Equal(3, next.Messages.Count);
            Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
        }

        await Assert.ThrowsAnyAsync<Exception>(() => claim.CommitAsync(CancellationToken.None));
        await claim.DisposeAsync();
    }

    private async Task<long> ScalarAsync(string sql) =>
        Convert.ToInt64(await _database.ScalarAsync(sql) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
}
