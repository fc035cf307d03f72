using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outbox.EntityFrameworkCore;
using Outbox.Kafka.Connection;
using Outbox.Testing;
using Outbox.Transport;

namespace Outbox.Kafka.Tests;

/// <summary>Start-up with Kafka settings, as an application starts: what it refuses, and what it says.</summary>
public sealed class ConfigurationTests : KafkaScenarios
{
    [Fact]
    public async Task SettingsThatWeakenTheGuarantees_StopTheStart_NamingEachOne()
    {
        var error = await StartFailsAsync(new()
        {
            ["Outbox:Kafka:Producer:enable.idempotence"] = "false",
            ["Outbox:Kafka:Producer:acks"] = "1",
            ["Outbox:Kafka:Consumer:enable.auto.commit"] = "true",
            ["Outbox:Kafka:Consumer:group.id"] = "shared",
            ["Outbox:Kafka:Client:bootstrap.servers"] = "elsewhere:9092",
        });

        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains("Outbox:Kafka:Producer:enable.idempotence is 'false', but the outbox needs 'true'", validation.Message, StringComparison.Ordinal);
        Assert.Contains("Outbox:Kafka:Producer:acks is '1', but the outbox needs 'all'", validation.Message, StringComparison.Ordinal);
        Assert.Contains("Outbox:Kafka:Consumer:enable.auto.commit is 'true', but the outbox needs 'false'", validation.Message, StringComparison.Ordinal);
        Assert.Contains("Outbox:Kafka:Consumer:group.id cannot be set: the outbox takes it from the consumer's name", validation.Message, StringComparison.Ordinal);
        Assert.Contains("Outbox:Kafka:Client:bootstrap.servers cannot be set: the outbox takes it from Outbox:Kafka:BootstrapServers", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsThatRestateTheGuarantees_AreAccepted()
    {
        using var host = App(new()
        {
            ["Outbox:Kafka:Producer:enable.idempotence"] = "true",
            ["Outbox:Kafka:Producer:acks"] = "-1",
            ["Outbox:Kafka:Consumer:enable.auto.commit"] = "false",
            ["Outbox:Kafka:Producer:linger.ms"] = "5",
        });

        await host.StartAsync();
        await host.StopAsync();

        var producer = host.Services.GetRequiredService<KafkaClients>().Settings.Producer();
        Assert.Equal(("5", "all", true), (producer.Get("linger.ms"), producer.Get("acks"), producer.EnableIdempotence));
    }

    [Fact]
    public async Task PropertyLibrdkafkaRefuses_StopsTheStart_NamingIt_WithSecretsHidden()
    {
        var error = await StartFailsAsync(new()
        {
            ["Outbox:Kafka:Producer:batch.num.messages"] = "many",
            ["Outbox:Kafka:Client:sasl.password"] = "hunter2-secret",
        });

        var outbox = Assert.IsType<OutboxException>(error);
        Assert.Contains("Kafka producer could not be created from Outbox:Kafka", outbox.Message, StringComparison.Ordinal);
        Assert.Contains("batch.num.messages", outbox.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokersThatDoNotAnswer_WhenRequiredAtStart_StopTheStart_NamingThem()
    {
        var error = await StartFailsAsync(new()
        {
            ["Outbox:Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["Outbox:Kafka:ConnectionTimeout"] = "00:00:02",
            ["Outbox:Kafka:Client:sasl.password"] = "hunter2-secret",
            ["Outbox:RequireBrokerAtStart"] = "true",
        });

        var outbox = Assert.IsType<TransportUnavailableException>(error);
        Assert.Contains("Kafka at 127.0.0.1:1 did not answer within 2 s", outbox.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisteredButNotChosen_OpensNoConnection_AndTheHostStarts()
    {
        using var host = App(new() { ["Outbox:Transport"] = "InMemory", ["Outbox:Kafka:BootstrapServers"] = "127.0.0.1:1" });

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task TheMockCluster_OutsideDevelopment_StopsTheStart_NamingTheSetting()
    {
        var error = await StartFailsAsync(new() { ["Outbox:Kafka:BootstrapServers"] = "mock" }, Environments.Production);

        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(
            "Outbox:Kafka:BootstrapServers is 'mock', librdkafka's mock cluster inside this process, which is for development only; the environment is 'Production'.",
            validation.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheMockCluster_InDevelopment_IsStartedInTheProcess_AndSharedByItsServices()
    {
        using var first = App(new() { ["Outbox:Kafka:BootstrapServers"] = "mock" }, Environments.Development);
        using var second = App(new() { ["Outbox:Kafka:BootstrapServers"] = "Mock" }, Environments.Development);

        await first.StartAsync();
        await second.StartAsync();

        var address = first.Services.GetRequiredService<KafkaClients>().Address;
        Assert.Matches(@"^[\w.-]+:\d+$", address);
        Assert.Equal(address, second.Services.GetRequiredService<KafkaClients>().Address);
        Assert.NotEqual(Cluster.BootstrapServers, address);
        Assert.Equal(address, first.Services.GetRequiredService<KafkaClients>().Settings.Producer().BootstrapServers);
        Assert.Equal(1, second.Services.GetRequiredService<KafkaClients>().CountBrokers(TimeSpan.FromSeconds(5)));
        await first.StopAsync();
        await second.StopAsync();
    }

    private async Task<Exception> StartFailsAsync(Dictionary<string, string?> settings, string environment = "Production")
    {
        using var host = App(settings, environment);
        return await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
    }

    // A real host, wired as an application would be.
    private IHost App(Dictionary<string, string?> settings, string environment = "Production")
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(Cluster.Configuration());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Outbox:Transport"] = "Kafka" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddDbContext<ShopContext>((sp, options) => Database.Configure(options.UseOutbox(sp)));
        builder.Services
            .AddOutbox(builder.Configuration.GetSection("Outbox"), o => o.Route<OrderPlaced>("orders.placed"))
            .UseEntityFrameworkCore<ShopContext>(Database.Store)
            .UseInMemoryTransport()
            .UseKafka();
        return builder.Build();
    }
}
