using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Consumers;
using Outbox.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// An ASP.NET Core application as a user wires it, listening on a port of its own: a SQLite database,
/// the in-memory transport, a <c>billing</c> consumer of <c>orders.placed</c> that fails until
/// <see cref="Billing"/> is online (one delivery, then a dead letter), and the dashboard at <c>/outbox</c>.
/// </summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly SqliteTestDatabase _database;

    private DashboardHost(WebApplication app, SqliteTestDatabase database)
    {
        App = app;
        _database = database;
    }

    public WebApplication App { get; }

    public string Address => App.Urls.First();

    public Billing Billing => App.Services.GetRequiredService<Billing>();

    public IDeadLetterQueue DeadLetters => App.Services.GetRequiredService<IDeadLetterQueue>();

    /// <summary>Builds the application; <paramref name="map"/> maps the dashboard (by default, <c>MapOutboxDashboard()</c> alone).</summary>
    public static async Task<DashboardHost> StartAsync(
        string environment = "Development",
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null,
        bool useDashboard = true)
    {
        var database = new SqliteTestDatabase();
        await database.CreateAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outbox:Consumers:MaxDeliveries"] = "1",
            ["Outbox:Consumers:Retry:MaxRetryAttempts"] = "0",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddSingleton<Billing>();
        builder.Services.AddDbContext<ShopContext>((sp, options) => database.Configure(options.UseOutbox(sp)));
        var outbox = builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), o => o.Route<OrderPlaced>("orders.placed"))
            .UseEntityFrameworkCore<ShopContext>(database.Store)
            .UseInMemoryTransport()
            .AddConsumer<BillingHandler>(consumer => (consumer.Source, consumer.Name) = ("orders.placed", "billing"));
        if (useDashboard)
        {
            outbox.UseDashboard();
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        try
        {
            (map ?? (a => a.MapOutboxDashboard()))(app);
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            await database.DisposeAsync();
            throw;
        }

        return new DashboardHost(app, database);
    }

    /// <summary>Places an order, publishing <see cref="OrderPlaced"/> in its transaction.</summary>
    public async Task<Guid> PlaceOrderAsync(long orderId, string customer)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
        db.Orders.Add(new Order { Customer = customer, Total = 10m });
        var id = await scope.ServiceProvider.GetRequiredService<IOutbox>().PublishAsync(new OrderPlaced(orderId, customer));
        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>Waits until <paramref name="count"/> dead letters are recorded; the consumer works in the background.</summary>
    public Task WaitForDeadLettersAsync(int count) => WaitUntilAsync(async () => (await DeadLetters.ListAsync()).Count >= count);

    /// <summary>Waits until the dispatcher has marked <paramref name="count"/> messages sent (it marks them after the transport took them).</summary>
    public Task WaitForSentAsync(int count) =>
        WaitUntilAsync(async () => (await App.Services.GetRequiredService<IOutboxMonitor>().GetStatusAsync()).SentLastHour >= count);

    /// <summary>Waits until consumers have recorded <paramref name="count"/> gaps in sequence numbers (the handler runs before its transaction commits).</summary>
    public Task WaitForGapsAsync(int count) =>
        WaitUntilAsync(async () => (await App.Services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync()).Count >= count);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>Whether the billing service the handler calls is up, and the orders it has billed.</summary>
internal sealed class Billing
{
    public bool Online { get; set; }

    public ConcurrentDictionary<long, TaskCompletionSource> Billed { get; } = new();

    public Task BilledAsync(long orderId) => Billed.GetOrAdd(orderId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
}

internal sealed class BillingHandler(Billing billing) : IMessageHandler<OrderPlaced>
{
    public ValueTask HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        if (!billing.Online)
        {
            throw new InvalidOperationException("The billing service is offline.");
        }

        billing.Billed.GetOrAdd(message.OrderId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return ValueTask.CompletedTask;
    }
}
