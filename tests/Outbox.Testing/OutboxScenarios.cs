using System.Text.Json;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Dispatching;
using Outbox.EntityFrameworkCore;
using Outbox.Storage;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>End-to-end behaviour of the outbox on a real database; each provider's test project runs them all.</summary>
public abstract partial class OutboxScenarios : DatabaseScenarios
{
    /// <summary>Whether two instances claim rows at the same time (PostgreSQL), rather than one after the other (SQLite's single writer).</summary>
    protected virtual bool ClaimsConcurrently => false;

    protected OutboxTestHost Host(
        FakeTimeProvider? time = null,
        ITransport? transport = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var host = OutboxTestHost.Create(Database, time, transport, settings, services);
        return Track(host);
    }

    [Fact]
    public async Task Commit_PublishesExactlyOnce()
    {
        var host = Host();
        var id = await host.PlaceOrderAsync(new OrderPlaced(1, "ada"), new PublishOptions { Headers = new Dictionary<string, string> { ["tenant"] = "t1" } });

        await host.DrainAsync();
        await host.PollUntilIdleAsync();

        var sent = Assert.Single(host.Memory.Sent);
        Assert.Equal(id, sent.MessageId);
        Assert.Equal("orders.placed", sent.Destination);
        Assert.Equal("OrderPlaced", sent.MessageType);
        Assert.Equal("t1", sent.Headers["tenant"]);
        Assert.Equal("""{"orderId":1,"customer":"ada"}""", System.Text.Encoding.UTF8.GetString(sent.Body.Span));
        var row = Assert.Single(await host.RowsAsync());
        Assert.Equal(MessageStatus.Dispatched, row.Status);
        Assert.Null(row.LeaseOwner);
        Assert.Equal(1, await host.CountOrdersAsync());
    }

    [Fact]
    public async Task Rollback_DispatchesNothing()
    {
        var host = Host();
        await host.InScopeAsync(async (db, outbox) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Orders.Add(new Order { Customer = "bob" });
            await outbox.PublishAsync(new OrderPlaced(2, "bob"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        });

        await host.DrainAsync();
        host.Time.Advance(TimeSpan.FromMinutes(5));
        await host.Maintenance.RecoverAsync(CancellationToken.None);
        await host.PollUntilIdleAsync();

        Assert.Empty(host.Memory.Sent);
        Assert.Empty(await host.RowsAsync());
        Assert.Equal(0, await host.CountOrdersAsync());
    }

    [Fact]
    public async Task ExplicitTransaction_SeveralSaveChanges_PublishOnlyAfterCommit()
    {
        var host = Host();
        await host.InScopeAsync(async (db, outbox) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await outbox.PublishAsync(new OrderPlaced(1, "first"), new PublishOptions { Key = "k" });
            await db.SaveChangesAsync();
            await outbox.PublishAsync(new OrderPlaced(2, "second"), new PublishOptions { Key = "k" });
            await db.SaveChangesAsync();

            await host.DrainAsync();
            Assert.Empty(host.Memory.Sent);

            await transaction.CommitAsync();
        });

        await host.DrainAsync();

        Assert.Equal(["first", "second"], host.Memory.Sent.Select(Customer));
        Assert.All(await host.RowsAsync(), r => Assert.Equal(MessageStatus.Dispatched, r.Status));
    }

    [Fact]
    public async Task DisposedTransaction_WithoutCommit_DispatchesNothing()
    {
        var host = Host();
        await host.InScopeAsync(async (db, outbox) =>
        {
            await using (await db.Database.BeginTransactionAsync())
            {
                await outbox.PublishAsync(new OrderPlaced(1, "gone"));
                await db.SaveChangesAsync();
            }

            // The context is used again: nothing of the abandoned transaction is written or sent.
            db.Orders.Add(new Order { Customer = "kept" });
            await db.SaveChangesAsync();
        });

        await host.DrainAsync();

        Assert.Empty(host.Memory.Sent);
        Assert.Empty(await host.RowsAsync());
    }

    [Fact]
    public async Task UseTransaction_CommittedOutsideEfCore_IsSentByRecovery()
    {
        var host = Host();
        await host.InScopeAsync(async (db, outbox) =>
        {
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await db.Database.UseTransactionAsync(transaction);
            await outbox.PublishAsync(new OrderPlaced(3, "raw"));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });

        await host.DrainAsync();
        Assert.Empty(host.Memory.Sent);

        host.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await host.Maintenance.RecoverAsync(CancellationToken.None));
        await host.PollUntilIdleAsync();

        Assert.Equal(["raw"], host.Memory.Sent.Select(Customer));
    }

    [Fact]
    public async Task ExecutionStrategyRetry_WritesAndSendsEachMessageOnce()
    {
        var failOnce = new FailFirstCommit();
        var host = OutboxTestHost.Create(Database, services: s => s.AddSingleton(failOnce));
        Track(host);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var options = new DbContextOptionsBuilder<ShopContext>();
            Database.Configure(options);
            options.UseOutbox(host.Services).AddInterceptors(failOnce);
            await using var db = new ShopContext(options.Options);
            var outbox = OutboxOf(scope.ServiceProvider, db);
            var strategy = new RetryOnce(db);

            await strategy.ExecuteAsync(async () =>
            {
                // Each attempt starts from a clean context, as EF Core's guidance on retried transactions says.
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync();
                db.Orders.Add(new Order { Customer = "retry" });
                await outbox.PublishAsync(new OrderPlaced(4, "retry"));
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            });
        }

        await host.DrainAsync();

        Assert.Equal(1, failOnce.Failures);
        Assert.Single(await host.RowsAsync());
        Assert.Equal(["retry"], host.Memory.Sent.Select(Customer));
    }

    [Fact]
    public async Task UnconnectedContext_PublishFailsWithAClearError()
    {
        var host = Host();
        var options = new DbContextOptionsBuilder<ShopContext>();
        Database.Configure(options);
        await using var db = new ShopContext(options.Options);
        await using var scope = host.Services.CreateAsyncScope();
        var outbox = OutboxOf(scope.ServiceProvider, db);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => outbox.PublishAsync(new OrderPlaced(1, "x")).AsTask());
        Assert.Equal("ShopContext is not connected to the outbox: register it with AddDbContext<ShopContext>((sp, options) => options.Use…(…).UseOutbox(sp)).", error.Message);
    }

    protected static string Customer(TransportMessage message) => Customer(message.Body);

    protected static long OrderId(TransportMessage message) =>
        System.Text.Json.JsonDocument.Parse(message.Body).RootElement.GetProperty("orderId").GetInt64();

    protected static string Customer(ReadOnlyMemory<byte> body) =>
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("customer").GetString()!;

    protected static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }

    // The outbox of a context created by the test rather than by the scope.
    private static IOutbox OutboxOf(IServiceProvider scope, ShopContext db) => ActivatorUtilities.CreateInstance<Outbox.Publishing.ScopedOutbox>(
        scope, ActivatorUtilities.CreateInstance<Outbox.EntityFrameworkCore.Publishing.EntityFrameworkOutboxWriter<ShopContext>>(scope, db));

    private sealed class RetryOnce(DbContext context) : ExecutionStrategy(context, maxRetryCount: 1, maxRetryDelay: TimeSpan.Zero)
    {
        protected override bool ShouldRetryOn(Exception exception) => exception is TimeoutException;

        protected override TimeSpan? GetNextDelay(Exception lastException) => ExceptionsEncountered.Count <= MaxRetryCount ? TimeSpan.Zero : null;
    }
}
