using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outbox.EntityFrameworkCore;
using Outbox.Testing;
using Xunit.Abstractions;

namespace Outbox.Kafka.Tests;

/// <summary>A service whose Kafka cluster is not up yet when it starts: it starts, commits, and relays and consumes once the cluster answers.</summary>
public sealed class StartWithoutBrokerTests(ITestOutputHelper output) : KafkaScenarios
{
    [Fact]
    public async Task StartedWithTheClusterDown_TheServiceStarts_IsUnhealthy_AndRelaysAndConsumesOnceItAnswers()
    {
        Cluster.CreateTopic(Topic, 1);
        Cluster.BrokerDown();
        using var host = App();
        await host.StartAsync();

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Entries["outbox-transport"].Status);
        for (var i = 1; i <= 200; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            db.Orders.Add(new Order { Customer = "waiting", Total = i });
            await scope.ServiceProvider.GetRequiredService<IOutbox>().PublishAsync(new OrderPlaced(i, "waiting"), new PublishOptions { Key = $"k{i % 10}" });
            await db.SaveChangesAsync();
        }

        Cluster.BrokerUp();
        var back = Stopwatch.StartNew();
        await WaitAsync(() => !Script.Handled.IsEmpty, "the first order to be handled", seconds: 30);
        var first = back.Elapsed;
        await WaitAsync(() => Script.Handled.Count >= 200, "every order to be handled", seconds: 60);
        await host.StopAsync();

        output.WriteLine($"after the broker came back: first order handled at {first.TotalSeconds:0.00} s, all 200 at {back.Elapsed.TotalSeconds:0.00} s");
        Assert.Single(Logs.Entries, e => e.EventId.Id == 211 && e.Level == LogLevel.Warning);
        AssertOrderPerKey(Script.Handled);
    }

    // A real host, wired as an application would be, consuming what it publishes.
    private IHost App()
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Cluster.Configuration());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Outbox:Kafka:ConnectionTimeout"] = "00:00:02" });
        builder.Logging.AddProvider(Logs);
        builder.Services.AddSingleton(Script).AddHealthChecks().AddOutboxHealthChecks();
        builder.Services.AddDbContext<ShopContext>((sp, options) => Database.Configure(options.UseOutbox(sp)));
        builder.Services
            .AddOutbox(builder.Configuration.GetSection("Outbox"), o => o.Route<OrderPlaced>(Topic))
            .UseEntityFrameworkCore<ShopContext>(Database.Store)
            .UseKafka()
            .AddConsumer<OrderPlacedHandler>(c => (c.Source, c.Name) = (Topic, ConsumerName));
        return builder.Build();
    }
}
