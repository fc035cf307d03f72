using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox;
using Outbox.EntityFrameworkCore;
using Outbox.RabbitMQ;
using Outbox.Testing;

// The consumer side of the fault test, in a process of its own so that the test can kill it: reads
// Ticks from RabbitMQ through the inbox into its own database until it is stopped or killed.
// Settings come from the command line: ConnectionStrings:Consumer, Database:Provider (PostgreSql, the
// default, or MySql), Consumer:Name, Outbox:...
var builder = Host.CreateApplicationBuilder(args);
var database = builder.Configuration.GetConnectionString("Consumer")
    ?? throw new InvalidOperationException("--ConnectionStrings:Consumer is missing.");
var mySql = builder.Configuration["Database:Provider"] switch
{
    null or "PostgreSql" => false,
    "MySql" => true,
    var other => throw new InvalidOperationException($"--Database:Provider is '{other}'; it is PostgreSql or MySql."),
};
var name = builder.Configuration["Consumer:Name"] ?? throw new InvalidOperationException("--Consumer:Name is missing.");
builder.Services.AddDbContext<ShopContext>((sp, options) => (mySql ? options.UseMySQL(database) : options.UseNpgsql(database)).UseOutbox(sp));
builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), options => options.Route<Tick>("ticks"))
    .UseEntityFrameworkCore<ShopContext>(store => _ = mySql ? store.UseMySql() : store.UsePostgreSql())
    .UseRabbitMQ()
    .AddConsumer<TickHandler>(consumer =>
    {
        consumer.Source = "ticks";
        consumer.Name = name;
    });
await builder.Build().RunAsync();
