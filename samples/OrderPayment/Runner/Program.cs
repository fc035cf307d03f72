using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderPayment.Contracts;
using OrderPayment.Orders;
using OrderPayment.Payments;
using OrderPayment.ServiceDefaults;
using Outbox;
using Outbox.Serialization;
using Outbox.Telemetry;
using Outbox.Transport;
using Spectre.Console;

// Hosts the Orders API and the Payments worker in one process, places orders through the API and follows
// each to its final state. Options: --orders N (default 20); --transport InMemory|RabbitMQ|Kafka (default:
// each service's appsettings.json); --dashboard keeps the API up afterwards with the outbox dashboard and a
// dead letter to requeue (DashboardDemo.cs), on --urls (default http://localhost:5080 then, else a free port).
// With InMemory the two services share one in-process transport.
var orders = 20;
string? transport = null;
var dashboard = false;
string? urls = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--orders" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
            orders = n;
            i++;
            break;
        case "--transport" when i + 1 < args.Length:
            transport = args[++i];
            break;
        case "--dashboard":
            dashboard = true;
            break;
        case "--urls" when i + 1 < args.Length:
            urls = args[++i];
            break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --orders N, --transport InMemory|RabbitMQ|Kafka, --dashboard, --urls URL.");
            return 2;
    }
}

// The run waits for every order's verdict, which it cannot have without the broker: it stops at once when the
// broker is down. The services alone start through a broker outage (Outbox:RequireBrokerAtStart is off).
string[] settings = transport is null ? ["--Outbox:RequireBrokerAtStart=true"] : ["--Outbox:RequireBrokerAtStart=true", $"--Outbox:Transport={transport}"];
var shared = new InMemoryTransport();
void Share(IServiceCollection services) => services
    .AddSingleton(shared)
    .AddLogging(logging => logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None)); // a failed start is reported below, without the stack
foreach (var file in new[] { "Orders/orders.db", "Payments/payments.db" }.SelectMany(db => new[] { db, db + "-wal", db + "-shm" }))
{
    File.Delete(Path.Combine(AppContext.BaseDirectory, file)); // every run on SQLite starts from empty databases, even after a killed run
}

using var counts = new OutboxCounts();
var ordersLock = new OrdersTableLock();
IHost payments;
WebApplication api;
try
{
    payments = PaymentsService.CreateBuilder(settings, Share).Build();
    api = OrdersService.Build(
        [.. settings, .. dashboard ? DashboardDemo.OrdersSettings : [], "--urls", urls ?? (dashboard ? "http://localhost:5080" : "http://127.0.0.1:0")],
        services =>
        {
            Share(services);
            if (dashboard)
            {
                DashboardDemo.AddLock(services, ordersLock);
            }
        });
    await PaymentsService.MigrateDatabaseAsync(payments.Services);
    await OrdersService.MigrateDatabaseAsync(api.Services);
    await payments.StartAsync(); // first, so its consumer's queue is there when the first order is placed
    await api.StartAsync();
}
catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or OutboxException or Outbox.Transport.TransportUnavailableException
    or InvalidOperationException or DbException)
{
    // A bad setting, an unreachable broker or database: the message says what to fix.
    Console.Error.WriteLine(e is DbException ? $"The database is not reachable: {e.Message}" : e.Message);
    return 1;
}

using var stopPayments = payments;
await using var stopApi = api;

// SIGTERM (what Kubernetes sends) or Ctrl+C: each host's console lifetime asks it to stop; the run ends
// early, and both hosts stop below, within their shutdown timeout.
using var stopping = CancellationTokenSource.CreateLinkedTokenSource(
    api.Lifetime.ApplicationStopping, payments.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);

using var http = new HttpClient { BaseAddress = new Uri(api.Urls.First()) };
var clock = Stopwatch.StartNew();
Console.WriteLine(
    $"Orders API on {http.BaseAddress}, transport {api.Services.GetRequiredService<OutboxTransports>().DefaultName}, database {SampleDatabase.Provider(api.Configuration)}; placing {orders} orders.");

// Test customers, as the fake gateway knows them: decline-* are declined, slow-* time out and are charged late.
// The orders are followed until each is Paid or Cancelled, or a minute has passed. A terminal shows two progress
// bars; redirected output gets a plain line a second.
var placed = new List<(Guid Id, string Customer, OrderStatus Expected)>();
var views = new Dictionary<Guid, OrderView>();
if (AnsiConsole.Profile.Capabilities.Interactive)
{
    await AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
        .StartAsync(async progress =>
        {
            var placing = progress.AddTask("orders placed", maxValue: orders);
            var finishing = progress.AddTask("orders paid or cancelled", maxValue: orders);
            await PlaceAndFollowAsync((placedCount, finalCount) => (placing.Value, finishing.Value) = (placedCount, finalCount));
        });
}
else
{
    var printed = TimeSpan.Zero;
    await PlaceAndFollowAsync((placedCount, finalCount) =>
    {
        if (clock.Elapsed - printed >= TimeSpan.FromSeconds(1) || finalCount == orders)
        {
            printed = clock.Elapsed;
            Console.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0.0}s] {placedCount} of {orders} orders placed, {finalCount} paid or cancelled");
        }
    });
}

async Task PlaceAndFollowAsync(Action<int, int> report)
{
    for (var i = 1; i <= orders; i++)
    {
        var (customer, expected) = (i % 10) switch
        {
            3 => ($"decline-{i}", OrderStatus.Cancelled),
            7 => ($"slow-{i}", OrderStatus.Paid),
            _ => ($"customer-{i}", OrderStatus.Paid),
        };
        var response = await http.PostAsJsonAsync("/orders", new PlaceOrder(customer, 10m + i));
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<Created>();
        placed.Add((created!.Id, customer, expected));
        report(placed.Count, 0);
    }

    var final = 0;
    while (final < orders && clock.Elapsed < TimeSpan.FromMinutes(1) && !stopping.IsCancellationRequested)
    {
        foreach (var (id, _, _) in placed.Where(p => !views.TryGetValue(p.Id, out var v) || v.Status == nameof(OrderStatus.Placed)))
        {
            views[id] = (await http.GetFromJsonAsync<OrderView>($"/orders/{id}"))!;
        }

        final = views.Values.Count(v => v.Status != nameof(OrderStatus.Placed));
        report(orders, final);
        await Task.Delay(TimeSpan.FromMilliseconds(250));
    }
}

// This run's orders only: a PostgreSQL database is kept from run to run.
var ids = placed.Select(p => p.Id).ToList();
Dictionary<Guid, Payment> charges;
await using (var scope = payments.Services.CreateAsyncScope())
{
    charges = await scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().Payments.AsNoTracking()
        .Where(p => ids.Contains(p.OrderId)).ToDictionaryAsync(p => p.OrderId);
}

Console.WriteLine();
var wrong = 0;
foreach (var (id, customer, expected) in placed)
{
    var view = views[id];
    var payment = charges.GetValueOrDefault(id);
    var ok = view.Status == expected.ToString();
    wrong += ok ? 0 : 1;
    Console.WriteLine($"{(ok ? "  " : "✗ ")}{customer,-12} {view.Amount,7:0.00}  {string.Join(" → ", Journey(view, payment))}");
}

// A broker delivers a message again when an acknowledgement is lost: the first orders' OrderPlaced are sent
// once more, with their message ids, and Payments' inbox absorbs them: no payment is requested twice.
var again = charges.Values.OrderBy(p => p.PlacedAt).Take(Math.Min(5, orders)).ToList();
await Redeliver(api.Services, again);
var absorbed = Stopwatch.StartNew();
while (counts.Duplicates < again.Count && absorbed.Elapsed < TimeSpan.FromSeconds(30) && !stopping.IsCancellationRequested)
{
    await Task.Delay(50);
}

int paymentsAfter;
await using (var scope = payments.Services.CreateAsyncScope())
{
    paymentsAfter = await scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().Payments.CountAsync(p => ids.Contains(p.OrderId));
}

Console.WriteLine();
Console.WriteLine($"sent OrderPlaced of {again.Count} orders again, as a broker does after a lost acknowledgement: payments requested {paymentsAfter} (was {charges.Count})");
wrong += paymentsAfter == charges.Count ? 0 : 1;

if (!dashboard || wrong > 0)
{
    await api.StopAsync();
    await payments.StopAsync();
}

var latencies = charges.Values.Select(p => (p.ReceivedAt - p.PlacedAt).TotalMilliseconds).Order().ToList();
Console.WriteLine();
Console.WriteLine($"orders: {string.Join(", ", views.Values.GroupBy(v => v.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}");
Console.WriteLine($"messages sent: {counts.Dispatched}, duplicates absorbed by the inboxes: {counts.Duplicates}, checks of half messages: {charges.Values.Sum(p => p.Checks)}");
Console.WriteLine($"order placed to OrderPlaced handled by Payments: p50 {Percentile(latencies, 50):0.0} ms, p99 {Percentile(latencies, 99):0.0} ms");
if (wrong == 0)
{
    Console.WriteLine($"verdict: all {orders} orders reached their final state, nothing lost ({clock.Elapsed.TotalSeconds:0.0} s)");
    if (dashboard)
    {
        await DashboardDemo.RunAsync(api.Services, http, ordersLock, stopping.Token);
        await api.StopAsync();
        await payments.StopAsync();
    }

    return 0;
}

Console.WriteLine($"verdict: FAILED, {wrong} of {orders} orders did not reach the state expected");
return 1;

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Ceiling(p / 100 * sorted.Count) - 1];

// Sends OrderPlaced for these payments' orders again, each with the message id it first had, through the
// transport the services use.
static async Task Redeliver(IServiceProvider services, IEnumerable<Payment> paid)
{
    var serializer = services.GetRequiredService<IMessageSerializer>();
    var transports = services.GetRequiredService<OutboxTransports>();
    var messages = paid.Select(p => new TransportMessage(
        p.RequestedBy, "orders.placed", MessageNames.OrderPlaced, p.OrderId.ToString(),
        serializer.Serialize(new OrderPlaced(p.OrderId, p.Customer, p.Amount, p.PlacedAt), typeof(OrderPlaced)), serializer.ContentType,
        new Dictionary<string, string>(), DateTimeOffset.UtcNow));
    await transports.Get(transports.DefaultName).SendAsync([.. messages], CancellationToken.None);
}

// An order's journey across both services: placed, the payment's half message and its fate, the order's end.
static IEnumerable<string> Journey(OrderView view, Payment? payment)
{
    yield return "placed";
    switch (payment)
    {
        case null:
            yield return "no payment recorded";
            break;
        case { Status: PaymentStatus.Captured, Checks: 0 }:
            yield return "charged, PaymentCaptured committed";
            break;
        case { Status: PaymentStatus.Captured }:
            yield return $"gateway timed out, half message checked {payment.Checks}x, charged late, committed";
            break;
        case { Status: PaymentStatus.Failed }:
            yield return $"half message rolled back, PaymentFailed ({payment.FailureReason})";
            break;
        default:
            yield return $"payment {payment.Status}, checked {payment.Checks}x";
            break;
    }

    foreach (var step in view.History.Skip(1))
    {
        yield return step;
    }
}

internal sealed record Created(Guid Id);

/// <summary>What the outbox reports while the sample runs: messages sent, duplicates the inboxes absorbed.</summary>
internal sealed class OutboxCounts : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _dispatched;
    private long _duplicates;

    public OutboxCounts()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OutboxTelemetry.Name && instrument.Name is "outbox.messages.dispatched" or "outbox.messages.duplicates")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            Interlocked.Add(ref instrument.Name == "outbox.messages.dispatched" ? ref _dispatched : ref _duplicates, value));
        _listener.Start();
    }

    public long Dispatched => Interlocked.Read(ref _dispatched);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public void Dispose() => _listener.Dispose();
}
