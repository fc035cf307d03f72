using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox;
using Outbox.Consumers;
using Outbox.DeadLetters;
using Outbox.EntityFrameworkCore;
using Outbox.Transactions;
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
builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), options => options
        .AddMessageType<OrderPlaced>("OrderPlaced")
        .AddMessageType<ReminderDue>("ReminderDue")
        .AddMessageType<PaymentRequested>("PaymentRequested")
        .Route<AuditRecorded>("audit"))
    .UseEntityFrameworkCore<ShopDbContext>()
    .UseInMemoryTransport() // like a broker: a message nobody receives is unroutable, then dead-lettered
    .AddTransactionCheck<PaymentRequested, PaymentCheck>()
    #region consumer
    .AddConsumer<ShippingHandler>(consumer =>
    {
        consumer.Source = "orders.placed";
        consumer.Name = "shipping";
    });
    #endregion
#endregion

using var host = builder.Build();
await using (var scope = host.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
    await db.Database.EnsureDeletedAsync();
    await db.Database.EnsureCreatedAsync();
}

var started = DateTimeOffset.UtcNow;
void Say(string text) => Console.WriteLine($"[{(DateTimeOffset.UtcNow - started).TotalSeconds,5:0.00}s] {text}");

var transport = host.Services.GetRequiredService<InMemoryTransport>();
var orders = transport.Subscribe("orders.placed");
var reminders = transport.Subscribe("reminders");
var payments = transport.Subscribe("payments.requested");
await host.StartAsync();

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
Say($"   received {Describe(await Receive(orders))}");

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
var nothing = await Receive(orders, TimeSpan.FromSeconds(1));
Say(nothing is null ? "   nothing was sent (waited 1 s)" : $"   UNEXPECTED: {Describe(nothing)}");

// 3. A delayed message is sent at its due time.
await InScope(async (db, outbox) =>
{
    #region delay
    await outbox.PublishAsync(new ReminderDue(1), new PublishOptions { Delay = TimeSpan.FromSeconds(2) });
    await db.SaveChangesAsync();
    #endregion
    Say("3. ReminderDue published with a 2 s delay");
});
Say($"   received {Describe(await Receive(reminders))}");

// 4. A message nobody can receive ends in the dead-letter table after MaxAttempts (3), with the reason.
await InScope(async (db, outbox) =>
{
    await outbox.PublishAsync(new AuditRecorded("order 1 placed"));
    await db.SaveChangesAsync();
    Say("4. AuditRecorded published to 'audit', which has no subscriber yet");
});
var dead = await WaitForDeadLetter(host.Services.GetRequiredService<IDeadLetterQueue>());
Say($"   dead-lettered: reason={dead.Reason}, attempts={dead.Attempts}, error=\"{dead.LastError}\"");

var audit = transport.Subscribe("audit");
#region requeue
var deadLetters = host.Services.GetRequiredService<IDeadLetterQueue>();
foreach (var letter in await deadLetters.ListAsync())
{
    await deadLetters.RequeueAsync(letter.MessageId);
}
#endregion
Say("   'audit' now has a subscriber; the dead letter was requeued");
Say($"   received {Describe(await Receive(audit))}");

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
Say($"   received {Describe(await Receive(payments))}");

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
Say($"   received {Describe(await Receive(payments))}");

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
Say($"   received {Describe(await Receive(payments))}");

// 8. A consumer with an inbox: the broker delivers order 1's message again; the shipment is made once.
var placed = transport.Sent.First(m => m.MessageType == "OrderPlaced");
await transport.SendAsync([placed, placed], CancellationToken.None);
await Task.Delay(500);
await InScope(async (db, outbox) =>
{
    var shipments = await db.Shipments.CountAsync(s => s.OrderId == 1);
    Say($"8. OrderPlaced for order 1 was delivered 3 times to the shipping consumer; shipments made: {shipments}");
});

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

static async Task<TransportMessage?> Receive(ChannelReader<TransportMessage> reader, TimeSpan? wait = null)
{
    using var timeout = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(30));
    try
    {
        return await reader.ReadAsync(timeout.Token);
    }
    catch (OperationCanceledException) when (wait is not null)
    {
        return null;
    }
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

static string Describe(TransportMessage? message) => message is null
    ? "nothing"
    : $"{message.MessageType} on '{message.Destination}' (key {message.Key ?? "none"}): {Encoding.UTF8.GetString(message.Body.Span)}";
