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
    /// On PostgreSQL or MariaDB (<c>Database:Provider</c>) the context is a <typeparamref name="TPostgreSqlContext"/>
    /// or a <typeparamref name="TMySqlContext"/>: the same model, with migrations of its own, since EF Core keeps one
    /// set of migrations per provider.
    /// </summary>
    public static IOutboxBuilder AddSampleOutbox<TContext, TPostgreSqlContext, TMySqlContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
        where TPostgreSqlContext : TContext
        where TMySqlContext : TContext
    {
        var database = SampleDatabase.ConnectionString(builder.Configuration, builder.Environment, connectionName);
        var provider = SampleDatabase.Provider(builder.Configuration);
        _ = provider switch
        {
            SampleDatabase.PostgreSql => builder.Services.AddDbContext<TContext, TPostgreSqlContext>((sp, options) => options.UseNpgsql(database).UseOutbox(sp)),
            SampleDatabase.MySql => builder.Services.AddDbContext<TContext, TMySqlContext>((sp, options) => options.UseMySQL(database).UseOutbox(sp)),
            _ => builder.Services.AddDbContext<TContext>((sp, options) => options.UseSqlite(database).UseOutbox(sp)),
        };

        var outbox = builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), options => options
                .AddMessageType<OrderPlaced>(MessageNames.OrderPlaced)
                .AddMessageType<PaymentCaptured>(MessageNames.PaymentCaptured)
                .AddMessageType<PaymentFailed>(MessageNames.PaymentFailed))
            .UseEntityFrameworkCore<TContext>(store => _ = provider switch
            {
                SampleDatabase.PostgreSql => store.UsePostgreSql(),
                SampleDatabase.MySql => store.UseMySql(),
                _ => store.UseSqlite(),
            })
            .UseInMemoryTransport()
            .UseRabbitMQ() // Outbox:Transport in appsettings.json picks one; a broker is connected only when picked
            .UseKafka();
        return outbox;
    }
}
