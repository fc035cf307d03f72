using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderPayment.Contracts;
using Outbox;

namespace OrderPayment.ServiceDefaults;

/// <summary>The database and outbox wiring both services have; each adds its own consumers and checks to it.</summary>
public static class SampleOutbox
{
    /// <summary>
    /// <typeparamref name="TContext"/> on the database of <c>ConnectionStrings:{connectionName}</c> with the outbox
    /// on it, the messages' names on the wire, and three transports, of which <c>Outbox:Transport</c> picks one.
    /// On PostgreSQL (<c>Database:Provider</c>) the context is a <typeparamref name="TPostgreSqlContext"/>: the
    /// same model, with migrations of its own, since EF Core keeps one set of migrations per provider.
    /// </summary>
    public static IOutboxBuilder AddSampleOutbox<TContext, TPostgreSqlContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
        where TPostgreSqlContext : TContext
    {
        var database = SampleDatabase.ConnectionString(builder.Configuration, builder.Environment, connectionName);
        var postgreSql = SampleDatabase.Provider(builder.Configuration) == SampleDatabase.PostgreSql;
        if (postgreSql)
        {
            builder.Services.AddDbContext<TContext, TPostgreSqlContext>((sp, options) => options.UseNpgsql(database).UseOutbox(sp));
        }
        else
        {
            builder.Services.AddDbContext<TContext>((sp, options) => options.UseSqlite(database).UseOutbox(sp));
        }

        var outbox = builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), options => options
                .AddMessageType<OrderPlaced>(MessageNames.OrderPlaced)
                .AddMessageType<PaymentCaptured>(MessageNames.PaymentCaptured)
                .AddMessageType<PaymentFailed>(MessageNames.PaymentFailed))
            .UseEntityFrameworkCore<TContext>(store => _ = postgreSql ? store.UsePostgreSql() : store.UseSqlite())
            .UseInMemoryTransport()
            .UseRabbitMQ() // Outbox:Transport in appsettings.json picks one; a broker is connected only when picked
            .UseKafka();
        return outbox;
    }
}
