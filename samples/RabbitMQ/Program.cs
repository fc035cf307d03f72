using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox;
using Outbox.EntityFrameworkCore;
using Outbox.RabbitMQ;
using QuickStart;

// The QuickStart shop over RabbitMQ: orders published through the outbox, shipped by a consumer
// reading its own queue, once per order however often the broker delivers it.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var shop = SampleDatabase.ConnectionString(builder.Configuration, builder.Environment, "Shop");
if (shop is null)
{
    return 1; // the setting is missing: SampleDatabase said which
}

#region wiring
builder.Services.AddDbContext<ShopDbContext>((sp, options) => options.UseSqlite(shop).UseOutbox(sp));
builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), options => options
        .Route<OrderPlaced>("orders.placed"))
    .UseEntityFrameworkCore<ShopDbContext>()
    .UseRabbitMQ() // binds Outbox:RabbitMQ
    .AddConsumer<ShippingHandler>(consumer =>
    {
        consumer.Source = "orders.placed";
        consumer.Name = "shipping";
    });
#endregion

using var host = builder.Build();
await using (var scope = host.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
    await db.Database.EnsureDeletedAsync();
    await db.Database.EnsureCreatedAsync();
}

await host.StartAsync(); // connects, declares the exchange and the 'shipping' queue, or stops here saying why
foreach (var customer in new[] { "ada", "bob", "cy" })
{
    await using var scope = host.Services.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
    var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
    await using var transaction = await db.Database.BeginTransactionAsync();
    var order = new Order { Customer = customer };
    db.Orders.Add(order);
    await db.SaveChangesAsync();
    await outbox.PublishAsync(new OrderPlaced(order.Id, customer), new PublishOptions { Key = $"order-{order.Id}" });
    await db.SaveChangesAsync();
    await transaction.CommitAsync();
    Console.WriteLine($"order {order.Id} for {customer} saved; OrderPlaced goes to RabbitMQ at commit");
}

var shipped = 0;
for (var waited = 0; shipped < 3 && waited < 300; waited++)
{
    await Task.Delay(100);
    await using var scope = host.Services.CreateAsyncScope();
    shipped = await scope.ServiceProvider.GetRequiredService<ShopDbContext>().Shipments.CountAsync();
}

Console.WriteLine(shipped == 3 ? "3 shipments made by the shipping consumer, from queue 'shipping'" : $"only {shipped} of 3 shipments after 30 s");
await host.StopAsync();
return shipped == 3 ? 0 : 1;
