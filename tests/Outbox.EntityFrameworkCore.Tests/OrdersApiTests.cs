using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderPayment.Orders;
using Outbox.Transport;

namespace Outbox.Tests;

/// <summary>The sample's Orders API through a real Kestrel server on 127.0.0.1, its own SQLite file, the in-memory transport.</summary>
public sealed class OrdersApiTests : IAsyncLifetime
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");
    private readonly InMemoryTransport _transport = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = OrdersService.Build(
            ["--urls", "http://127.0.0.1:0", $"--ConnectionStrings:Orders=Data Source={_database}", "--Outbox:Transport=InMemory"],
            services => services.AddSingleton(_transport));
        await OrdersService.MigrateDatabaseAsync(_app.Services);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    [Fact]
    public async Task PostOrder_SavesItAndSendsOrderPlaced_AndGetShowsItPlaced()
    {
        var placed = _transport.Subscribe("orders.placed");

        var response = await _http.PostAsJsonAsync("/orders", new PlaceOrder("ada", 25m));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<Created>())!.Id;
        Assert.Equal($"/orders/{id}", response.Headers.Location?.OriginalString);
        var order = await _http.GetFromJsonAsync<OrderView>($"/orders/{id}");
        Assert.Equal(new[] { "placed" }, order!.History);
        Assert.Equal(("ada", 25m, "Placed"), (order.Customer, order.Amount, order.Status));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var sent = await placed.ReadAsync(wait.Token);
        Assert.Equal(("OrderPlaced", id.ToString()), (sent.MessageType, sent.Key));
    }

    [Fact]
    public async Task Health_IsHealthyWhileTheOutboxRuns_And503OnceItsDispatcherStops()
    {
        var healthy = await _http.GetAsync("/health");
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (healthy.StatusCode, await healthy.Content.ReadAsStringAsync()));

        await _app.Services.GetServices<IHostedService>().OfType<Dispatching.OutboxDispatcher>().Single().StopAsync(CancellationToken.None);

        var unhealthy = await _http.GetAsync("/health");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (unhealthy.StatusCode, await unhealthy.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("", 10)]
    [InlineData("ada", 0)]
    public async Task PostOrder_WithoutACustomerOrAPositiveAmount_IsRefusedAndStoresNothing(string customer, int amount)
    {
        var response = await _http.PostAsJsonAsync("/orders", new PlaceOrder(customer, amount));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("A customer and a positive amount are required.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        Assert.Equal(0, await db.Orders.CountAsync());
        Assert.Equal(0, await db.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM outbox_messages").SingleAsync()); // so nothing to send
    }

    [Fact]
    public async Task GetOrder_ThatDoesNotExist_IsNotFound()
    {
        var response = await _http.GetAsync($"/orders/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_database);
    }

    private sealed record Created(Guid Id);
}
