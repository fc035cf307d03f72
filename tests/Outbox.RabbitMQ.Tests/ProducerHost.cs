using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outbox.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.RabbitMQ.Tests;

/// <summary>A producing service on a real generic host: its outbox in a test database through EF Core, sending to the test broker.</summary>
internal static class ProducerHost
{
    /// <param name="database">The service's database.</param>
    /// <param name="exchange">The exchange it publishes to.</param>
    /// <param name="logs">Where its logs go.</param>
    /// <param name="routes">Its message types and their destinations.</param>
    /// <param name="settings">Settings over the defaults, under <c>Outbox</c>.</param>
    /// <param name="configure">More on the outbox: consumers, health checks.</param>
    public static IHost Build(
        ITestDatabase database, string exchange, ILoggerProvider logs, Action<OutboxOptions> routes, IDictionary<string, string?>? settings = null, Action<IOutboxBuilder>? configure = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var all = new Dictionary<string, string?>
        {
            ["Outbox:RabbitMQ:Uri"] = Broker.Uri,
            ["Outbox:RabbitMQ:Exchange"] = exchange,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.AddProvider(logs);
        builder.Services.AddDbContext<ShopContext>((sp, options) =>
        {
            database.Configure(options);
            options.UseOutbox(sp);
        });
        var outbox = builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), routes)
            .UseEntityFrameworkCore<ShopContext>(database.Store)
            .UseRabbitMQ();
        configure?.Invoke(outbox);
        return builder.Build();
    }
}
