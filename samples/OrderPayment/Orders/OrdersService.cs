using Microsoft.EntityFrameworkCore;
using OrderPayment.Contracts;
using OrderPayment.ServiceDefaults;
using Outbox;
using Outbox.Consumers;

namespace OrderPayment.Orders;

/// <summary>The Orders API: its wiring and endpoints, shared by its own Program and by a program that hosts both services.</summary>
public static class OrdersService
{
    /// <summary>
    /// The API, with its settings from <c>Orders/appsettings.json</c> next to the program and its SQLite
    /// database file there too. <paramref name="configure"/> runs last, for a host's own services.
    /// </summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = Path.Combine(AppContext.BaseDirectory, "Orders"),
        });
        #region dashboard
        builder.AddSampleOutbox<OrdersDbContext, PostgreSqlOrdersDbContext, MySqlOrdersDbContext>("Orders")
            .AddConsumer<PaymentCapturedHandler>(consumer => (consumer.Source, consumer.Name) = ("payments.captured", "orders-paid"))
            .AddConsumer<PaymentFailedHandler>(consumer => (consumer.Source, consumer.Name) = ("payments.failed", "orders-cancelled"))
            .UseDashboard();
        #endregion
        #region health
        builder.Services.AddHealthChecks().AddOutboxHealthChecks();
        #endregion
        configure?.Invoke(builder.Services);

        var app = builder.Build();
        #region map-health
        app.MapHealthChecks("/health"); // 200 Healthy or Degraded, 503 Unhealthy; the status in the body
        #endregion
        #region map-dashboard
        if (app.Environment.IsDevelopment())
        {
            app.MapOutboxDashboard("/outbox"); // elsewhere, add .RequireAuthorization("a policy of yours")
        }
        #endregion
        app.MapPost("/orders", PlaceAsync);
        app.MapGet("/orders/{id:guid}", async (Guid id, OrdersDbContext db) =>
            await db.Orders.Include(o => o.History).AsNoTracking().SingleOrDefaultAsync(o => o.Id == id) is { } order
                ? Results.Ok(new OrderView(order.Id, order.Customer, order.Amount, order.Status.ToString(), [.. order.History.OrderBy(e => e.Id).Select(e => e.What)]))
                : Results.NotFound());
        return app;
    }

    /// <summary>Brings the database up to the latest migration (in Migrations/, outbox and inbox tables included).</summary>
    public static async Task MigrateDatabaseAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OrdersDbContext>().Database.MigrateAsync();
    }

    // The order and OrderPlaced are saved by one SaveChanges, in one transaction: both or neither.
    private static async Task<IResult> PlaceAsync(PlaceOrder request, OrdersDbContext db, IOutbox outbox, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(request.Customer) || request.Amount <= 0)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["order"] = ["A customer and a positive amount are required."] });
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var order = new Order { Id = Guid.CreateVersion7(), Customer = request.Customer, Amount = request.Amount, Status = OrderStatus.Placed };
        order.History.Add(new OrderEvent { At = now, What = "placed" });
        db.Orders.Add(order);
        await outbox.PublishAsync(new OrderPlaced(order.Id, order.Customer, order.Amount, now), new PublishOptions { Key = order.Id.ToString() });
        await db.SaveChangesAsync(); // the order and OrderPlaced in one transaction; the message is sent once it commits
        return Results.Created($"/orders/{order.Id}", new { order.Id });
    }
}

public sealed record PlaceOrder(string Customer, decimal Amount);

public sealed record OrderView(Guid Id, string Customer, decimal Amount, string Status, IReadOnlyList<string> History);

/// <summary>Moves a placed order to Paid; a second PaymentCaptured for the same order changes nothing.</summary>
public sealed class PaymentCapturedHandler(OrdersDbContext db, TimeProvider clock) : IMessageHandler<PaymentCaptured>
{
    public async ValueTask HandleAsync(PaymentCaptured message, MessageContext context, CancellationToken cancellationToken) =>
        await OrderFinish.MoveAsync(db, clock, message.OrderId, OrderStatus.Paid, "paid", cancellationToken);
}

/// <summary>Moves a placed order to Cancelled, with the reason Payments gave.</summary>
public sealed class PaymentFailedHandler(OrdersDbContext db, TimeProvider clock) : IMessageHandler<PaymentFailed>
{
    public async ValueTask HandleAsync(PaymentFailed message, MessageContext context, CancellationToken cancellationToken) =>
        await OrderFinish.MoveAsync(db, clock, message.OrderId, OrderStatus.Cancelled, $"cancelled: {message.Reason}", cancellationToken);
}

internal static class OrderFinish
{
    public static async Task MoveAsync(OrdersDbContext db, TimeProvider clock, Guid orderId, OrderStatus status, string what, CancellationToken cancellationToken)
    {
        var order = await db.Orders.SingleAsync(o => o.Id == orderId, cancellationToken);
        if (order.Status == OrderStatus.Placed)
        {
            order.Status = status;
            db.OrderEvents.Add(new OrderEvent { OrderId = order.Id, At = clock.GetUtcNow().UtcDateTime, What = what });
        }
    }
}
