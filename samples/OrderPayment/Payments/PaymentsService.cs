using Microsoft.EntityFrameworkCore;
using OrderPayment.Contracts;
using OrderPayment.ServiceDefaults;

namespace OrderPayment.Payments;

/// <summary>The Payments worker: its wiring, shared by its own Program and by a program that hosts both services.</summary>
public static class PaymentsService
{
    /// <summary>
    /// The worker's builder, with its settings from <c>Payments/appsettings.json</c> next to the program and
    /// its SQLite database file there too. <paramref name="configure"/> runs last, for a host's own services.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = Path.Combine(AppContext.BaseDirectory, "Payments"),
        });
        builder.AddSampleOutbox<PaymentsDbContext, PostgreSqlPaymentsDbContext, MySqlPaymentsDbContext>("Payments")
            .AddTransactionCheck<PaymentCaptured, PaymentCheck>()
            .AddConsumer<OrderPlacedHandler>(consumer => (consumer.Source, consumer.Name) = ("orders.placed", "payments"));
        builder.Services.AddSingleton<FakeGateway>()
            .AddSingleton<PaymentSignal>()
            .AddHostedService<PaymentProcessor>();
        configure?.Invoke(builder.Services);
        return builder;
    }

    /// <summary>Brings the database up to the latest migration (in Migrations/, outbox and inbox tables included).</summary>
    public static async Task MigrateDatabaseAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().Database.MigrateAsync();
    }
}
