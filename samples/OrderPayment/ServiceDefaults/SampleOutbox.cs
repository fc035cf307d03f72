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
    /// <typeparamref name="TContext"/> on SQLite (its file from <c>ConnectionStrings:{connectionName}</c>) with the
    /// outbox on it, the messages' names on the wire, and three transports, of which <c>Outbox:Transport</c> picks one.
    /// </summary>
    public static IOutboxBuilder AddSampleOutbox<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var database = SampleDatabase.ConnectionString(builder.Configuration, builder.Environment, connectionName);
        builder.Services.AddDbContext<TContext>((sp, options) => options.UseSqlite(database).UseOutbox(sp));
        return builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), options => options
                .AddMessageType<OrderPlaced>(MessageNames.OrderPlaced)
                .AddMessageType<PaymentCaptured>(MessageNames.PaymentCaptured)
                .AddMessageType<PaymentFailed>(MessageNames.PaymentFailed))
            .UseEntityFrameworkCore<TContext>()
            .UseInMemoryTransport()
            .UseRabbitMQ()
            .UseKafka();
    }
}
