using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outbox;
using Outbox.Transport;
using QuickStart;

// Wiring, as in any ASP.NET Core or worker service. Settings come from appsettings.json next to the
// program, so it runs from any directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var shop = SampleDatabase.ConnectionString(builder.Configuration, builder.Environment, "Shop");
if (shop is null)
{
    return 1; // the setting is missing: SampleDatabase said which
}

#region wiring
builder.Services.AddDbContext<ShopDbContext>((sp, options) => options.UseSqlite(shop).UseOutbox(sp));
var messaging = builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), options => options
        .AddMessageType<OrderPlaced>("OrderPlaced")
        .AddMessageType<ReminderDue>("ReminderDue")
        .AddMessageType<PaymentRequested>("PaymentRequested")
        .Route<AuditRecorded>("audit"))
    .UseEntityFrameworkCore<ShopDbContext>(database => database.UseSqlite())
    .UseInMemoryTransport()
    .UseRabbitMQ() // Outbox:Transport in appsettings.json chooses one; a broker is connected only when chosen
    .UseKafka()
    .AddTransactionCheck<PaymentRequested, PaymentCheck>()
    #region consumer
    .AddConsumer<ShippingHandler>(consumer =>
    {
        consumer.Source = "orders.placed";
        consumer.Name = "shipping";
    });
    #endregion
#endregion

// The shop's other services, played by this program (OtherServices.cs): each records what it receives.
builder.Services.AddSingleton<Received>().AddSingleton<AuditStore>();
messaging
    .AddConsumer<Recorded<OrderPlaced>>(consumer => (consumer.Source, consumer.Name) = ("orders.placed", "order-log"))
    .AddConsumer<Recorded<ReminderDue>>(consumer => (consumer.Source, consumer.Name) = ("reminders", "reminder-log"))
    .AddConsumer<Recorded<PaymentRequested>>(consumer => (consumer.Source, consumer.Name) = ("payments.requested", "payment-log"))
    .AddConsumer<AuditHandler>(consumer => (consumer.Source, consumer.Name) = ("audit", "audit"));

using var host = builder.Build();
try
{
    await using (var scope = host.Services.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        await db.Database.EnsureDeletedAsync();
        await db.Database.EnsureCreatedAsync();
    }

    await host.StartAsync(); // over RabbitMQ: connects and declares the consumers' queues
}
catch (Exception e) when (e is OptionsValidationException or OutboxException or TransportUnavailableException)
{
    Console.Error.WriteLine(e.Message); // a bad setting or an unreachable broker: the message says what to fix
    return 1;
}

var started = DateTimeOffset.UtcNow;
void Say(string text) => Console.WriteLine($"[{(DateTimeOffset.UtcNow - started).TotalSeconds,5:0.00}s] {text}");

var received = host.Services.GetRequiredService<Received>();
var transports = host.Services.GetRequiredService<OutboxTransports>();
Say($"transport: {transports.DefaultName} (Outbox:Transport)");

// 1. A message published in a transaction is sent once the transaction commits.
await InScope(async (db, outbox) =>
{
    #region publish
    await using var transaction = await db.Database.BeginTransactionAsync();
    var order = new Order { Customer = "ada" };
    db.Orders.Add(order);
    await db.SaveChangesAsync(); // the database gives the order its id
    await outbox.PublishAsync(new OrderPlaced(order.Id, order.Customer), new PublishOptions { Key = $"order-{order.Id}" });
    await db.SaveChangesAsync(); // writes the message, in the same transaction
    await transaction.CommitAsync(); // the order and its message are stored together; the message goes out now
    #endregion
    Say($"1. order {order.Id} saved and OrderPlaced published in the same transaction");
});
var firstOrder = await Receive("orders.placed");
Say($"   received {firstOrder}");

// 2. A rolled-back transaction publishes nothing.
await InScope(async (db, outbox) =>
{
    await using var transaction = await db.Database.BeginTransactionAsync();
    db.Orders.Add(new Order { Customer = "bob" });
    await outbox.PublishAsync(new OrderPlaced(0, "bob"));
    await db.SaveChangesAsync();
    await transaction.RollbackAsync();
    Say("2. bob's order and its message were rolled back");
});
var nothing = await ReceiveWithin("orders.placed", TimeSpan.FromSeconds(1));
Say(nothing is null ? "   nothing was sent (waited 1 s)" : $"   UNEXPECTED: {nothing}");

// 3. A delayed message is sent at its due time.
await InScope(async (db, outbox) =>
{
    #region delay
    await outbox.PublishAsync(new ReminderDue(1), new PublishOptions { Delay = TimeSpan.FromSeconds(2) });
    await db.SaveChangesAsync();
    #endregion
    Say("3. ReminderDue published with a 2 s delay");
});
Say($"   received {await Receive("reminders")}");

// 4. A message its consumer cannot handle ends in the dead-letter table after MaxDeliveries (2 here), with the reason.
var auditStore = host.Services.GetRequiredService<AuditStore>();
await InScope(async (db, outbox) =>
{
    await outbox.PublishAsync(new AuditRecorded("order 1 placed"));
    await db.SaveChangesAsync();
    Say("4. AuditRecorded published; the audit service's store is offline, so every delivery fails");
});
var dead = await WaitForDeadLetter(host.Services.GetRequiredService<IDeadLetterQueue>());
Say($"   dead-lettered: reason={dead.Reason}, deliveries={dead.Attempts}, error=\"{dead.LastError}\"");

auditStore.Online = true;
#region requeue
var deadLetters = host.Services.GetRequiredService<IDeadLetterQueue>();
await deadLetters.RequeueAsync(new DeadLetterFilter { Consumer = "audit", Reason = "max-deliveries" });
#endregion
Say("   the audit store is back online; the dead letter was requeued");
Say($"   received {await Receive("audit")}");

// 5. Work decided outside the database (a payment gateway): a half message, the local transaction, then commit.
await InScope(async (db, outbox) =>
{
    #region send-in-transaction
    var result = await outbox.SendInTransactionAsync(
        new PaymentRequested(1, 25m),
        async (message, ct) => await ChargeAsync(db, message, ct) ? LocalTransactionState.Commit : LocalTransactionState.Rollback);
    #endregion
    Say($"5. payment for order 1: the local transaction said {result.LocalState}, the message is {result.Outcome}");
});
Say($"   received {await Receive("payments.requested")}");

// 6. The gateway charged the card but its answer was lost: the check callback finds the payment and commits.
await InScope(async (db, outbox) =>
{
    var result = await outbox.SendInTransactionAsync<PaymentRequested>(
        new PaymentRequested(2, 40m),
        async (message, ct) =>
        {
            await ChargeAsync(db, message, ct);
            throw new TimeoutException("the gateway did not answer in time");
        });
    Say($"6. payment for order 2: the local transaction threw, the message is {result.Outcome}; PaymentCheck decides");
});
Say($"   received {await Receive("payments.requested")}");

// 7. A decision that comes later (an approval, a webhook): prepare the half message now, commit when it arrives.
await InScope(async (db, outbox) =>
{
    #region prepare-commit
    PreparedMessage half = await outbox.PrepareAsync(new PaymentRequested(3, 99m));
    // … later, when the approval arrives (in another request, say):
    await outbox.CommitAsync(half.MessageId);
    #endregion
    Say("7. payment for order 3 prepared as a half message, then approved: committed");
});
Say($"   received {await Receive("payments.requested")}");

// 8. A consumer with an inbox: the transport delivers order 1's message twice more, as a broker does after a lost
// acknowledgement, then a new order's message. Each consumer of orders.placed (shipping and the order log)
// skips both copies, which the outbox's metrics count as duplicates; only the new order is shipped.
using var duplicates = new DuplicateCount();
await Redelivery.SendAgainAsync(host.Services, firstOrder, times: 2);
var lastOrder = 0;
await InScope(async (db, outbox) =>
{
    await using var transaction = await db.Database.BeginTransactionAsync();
    var order = new Order { Customer = "dan" };
    db.Orders.Add(order);
    await db.SaveChangesAsync();
    await outbox.PublishAsync(new OrderPlaced(order.Id, order.Customer), new PublishOptions { Key = $"order-{order.Id}" });
    await db.SaveChangesAsync();
    await transaction.CommitAsync();
    lastOrder = order.Id;
});
var shipments = await WaitForShipmentOf(lastOrder);
await Receive("orders.placed"); // the order log's copy of it: that consumer is done too
var skipped = await duplicates.WaitForAsync(4); // the copies may come after the new order: different keys have no order
Say($"8. OrderPlaced for order 1 was delivered 3 times, then order {lastOrder}'s; the inboxes skipped {skipped} duplicate deliveries, shipments made for order 1: {shipments}");

await host.StopAsync();
Say("done");
return 0;

async Task InScope(Func<ShopDbContext, IOutbox, Task> work)
{
    await using var scope = host.Services.CreateAsyncScope();
    await work(scope.ServiceProvider.GetRequiredService<ShopDbContext>(), scope.ServiceProvider.GetRequiredService<IOutbox>());
}

static async Task<bool> ChargeAsync(ShopDbContext db, PaymentRequested payment, CancellationToken cancellationToken)
{
    db.Payments.Add(new Payment { OrderId = payment.OrderId, Amount = payment.Amount });
    await db.SaveChangesAsync(cancellationToken);
    return true;
}

// The next message a service received from the source.
async Task<Delivered> Receive(string source)
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    return await received.From(source).ReadAsync(timeout.Token);
}

// The next message a service received from the source within the wait, or null.
async Task<Delivered?> ReceiveWithin(string source, TimeSpan wait)
{
    using var timeout = new CancellationTokenSource(wait);
    try
    {
        return await received.From(source).ReadAsync(timeout.Token);
    }
    catch (OperationCanceledException)
    {
        return null;
    }
}

// How many shipments order 1 has once the given order was shipped.
async Task<int> WaitForShipmentOf(int orderId)
{
    for (var i = 0; i < 300; i++)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        if (await db.Shipments.AnyAsync(s => s.OrderId == orderId))
        {
            return await db.Shipments.CountAsync(s => s.OrderId == 1);
        }

        await Task.Delay(100);
    }

    throw new TimeoutException($"Order {orderId} was not shipped in 30 s.");
}

static async Task<DeadLetter> WaitForDeadLetter(IDeadLetterQueue queue)
{
    for (var i = 0; i < 300; i++)
    {
        if ((await queue.ListAsync()).FirstOrDefault() is { } dead)
        {
            return dead;
        }

        await Task.Delay(100);
    }

    throw new TimeoutException("No dead letter appeared.");
}
