using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outbox.EntityFrameworkCore;
using Outbox.Testing;
using Outbox.Transport;
using Quartz;

namespace Outbox.Tests;

/// <summary>The outbox inside a real generic host: hosted dispatcher and the Quartz jobs, on real time.</summary>
public sealed class HostedOutboxTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public Task InitializeAsync() => _database.CreateAsync();

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public async Task RecoveryJob_InTheHost_SendsWhatACrashedInstanceCommitted()
    {
        await CrashAfterCommitAsync();

        using var host = BuildHost(FastRecovery());
        await AssertTheOrphanIsRecoveredAsync(host);
    }

    [Fact]
    public async Task TheApplicationsOwnQuartz_KeepsItsSettingsAndItsJobs_AndTheOutboxJobsStillRun()
    {
        await CrashAfterCommitAsync();

        using var host = BuildHost(FastRecovery(), services =>
        {
            // Registered before the outbox, so an outbox that changed these settings would win.
            services.AddQuartz(quartz => quartz.ScheduleJob<ApplicationJob>(trigger => trigger.WithIdentity("application").StartAt(DateTimeOffset.UtcNow.AddHours(1))));
            services.AddQuartzHostedService(options => options.WaitForJobsToComplete = false);
        });
        await AssertTheOrphanIsRecoveredAsync(host, async () =>
        {
            Assert.False(host.Services.GetRequiredService<IOptions<QuartzHostedServiceOptions>>().Value.WaitForJobsToComplete);
            var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            Assert.NotNull(await scheduler.GetJobDetail(new JobKey("application")));
            Assert.Null(await scheduler.GetJobDetail(new JobKey("outbox-recovery")));
        });
    }

    // An instance commits a message and dies before sending it (its dispatcher never runs). Its clock
    // reads the real time, so the row is fresh and still leased when the next host starts.
    private async Task CrashAfterCommitAsync()
    {
        await using var crashed = OutboxTestHost.Create(_database, new FakeTimeProvider(DateTimeOffset.UtcNow), settings: FastRecovery());
        await crashed.PlaceOrderAsync(new OrderPlaced(1, "orphan"));
    }

    private static async Task AssertTheOrphanIsRecoveredAsync(IHost host, Func<Task>? whileRunning = null)
    {
        var received = host.Services.GetRequiredService<InMemoryTransport>().Subscribe("orders.placed");
        await host.StartAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var message = await received.ReadAsync(timeout.Token);
            Assert.Equal("OrderPlaced", message.MessageType);
            Assert.True(DateTimeOffset.UtcNow - message.CreatedAt >= TimeSpan.FromSeconds(3), "recovery must wait for the lease to run out");
            await (whileRunning?.Invoke() ?? Task.CompletedTask);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task ContextWithoutOutboxTables_StopsTheHostAtStart_SayingWhatToCall()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<PlainContext>((sp, o) => o.UseSqlite(_database.ConnectionString).UseOutbox(sp));
        builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox")).UseEntityFrameworkCore<PlainContext>(database => database.UseSqlite()).UseInMemoryTransport();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("call modelBuilder.AddOutboxTables() in PlainContext.OnModelCreating", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishingThroughAContextWithoutOutboxTables_IsRefused_SayingWhatToCall()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDbContext<PlainContext>((sp, o) => o.UseSqlite(_database.ConnectionString).UseOutbox(sp));
        services.AddOutbox(new ConfigurationBuilder().Build(), o => o.Route<OrderPlaced>("orders.placed"))
            .UseEntityFrameworkCore<PlainContext>(database => database.UseSqlite()).UseInMemoryTransport();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<IOutbox>().PublishAsync(new OrderPlaced(1, "c")).AsTask());

        Assert.Equal("PlainContext has no outbox tables: call modelBuilder.AddOutboxTables() in PlainContext.OnModelCreating.", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task MissingConnectionString_StopsTheHostAtStart_NamingTheContext(string? connectionString)
    {
        // What GetConnectionString("Shop") returns when appsettings.json was not found.
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<ShopContext>((sp, o) => o.UseSqlite(connectionString).UseOutbox(sp));
        builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox")).UseEntityFrameworkCore<ShopContext>(database => database.UseSqlite()).UseInMemoryTransport();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith("ShopContext has no connection string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamingNoDatabase_IsRefusedAtRegistration()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddOutbox(new ConfigurationBuilder().Build()).UseEntityFrameworkCore<ShopContext>(_ => { }));

        Assert.StartsWith("UseEntityFrameworkCore<ShopContext> needs the context's database: database => database.UsePostgreSql() or database.UseSqlite().", error.Message, StringComparison.Ordinal);
    }

    // The lease must outlast a send with its retries, so real-time recovery needs short send limits.
    private static Dictionary<string, string?> FastRecovery() => new()
    {
        ["Outbox:Transactions:CheckAfter"] = "00:00:00.100",
        ["Outbox:Transactions:ScanInterval"] = "00:00:00.200",
        ["Outbox:Dispatch:LeaseDuration"] = "00:00:03",
        ["Outbox:Dispatch:Retry:MaxRetryAttempts"] = "0",
        ["Outbox:Dispatch:AttemptTimeout"] = "00:00:01",
        ["Outbox:Dispatch:Retry:MaxDelay"] = "00:00:01",
    };

    private IHost BuildHost(Dictionary<string, string?> settings, Action<IServiceCollection>? before = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        before?.Invoke(builder.Services);
        builder.Services.AddDbContext<ShopContext>((sp, o) => o.UseSqlite(_database.ConnectionString).UseOutbox(sp));
        builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), o => o.Route<OrderPlaced>("orders.placed"))
            .UseEntityFrameworkCore<ShopContext>(database => database.UseSqlite())
            .UseInMemoryTransport();
        return builder.Build();
    }

    private sealed class PlainContext(DbContextOptions<PlainContext> options) : DbContext(options);

    private sealed class ApplicationJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
