using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outbox.EntityFrameworkCore;
using Outbox.Testing;
using Outbox.Transport;

namespace Outbox.RabbitMQ.Tests;

public sealed class ConfigurationTests : RabbitMQScenarios
{
    [Fact]
    public async Task UnreachableHost_WhenTheBrokerIsRequiredAtStart_StopsTheStart_NamingTheHost_NotThePassword()
    {
        var error = await StartFailsAsync(new() { ["Outbox:RabbitMQ:Uri"] = "amqp://guest:s3cret-pw@127.0.0.1:1/", ["Outbox:RequireBrokerAtStart"] = "true" });

        var unavailable = Assert.IsType<TransportUnavailableException>(error);
        Assert.StartsWith("Could not connect to RabbitMQ at amqp://guest:***@127.0.0.1:1/: Connection refused. Check Outbox:RabbitMQ:Uri", unavailable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", error.ToString());
    }

    [Fact]
    public async Task UnknownVirtualHost_StopsTheStart_InOneLineNamingTheSetting()
    {
        var error = await StartFailsAsync(new() { ["Outbox:RabbitMQ:Uri"] = "amqp://guest:guest@127.0.0.1:5672/no-such-vhost" });

        var outbox = Assert.IsType<OutboxException>(error);
        Assert.StartsWith(
            "RabbitMQ at amqp://guest:***@127.0.0.1:5672/no-such-vhost refused the connection: the virtual host 'no-such-vhost' does not exist, or the user may not use it",
            outbox.Message,
            StringComparison.Ordinal);
        Assert.EndsWith("Check the path of Outbox:RabbitMQ:Uri.", outbox.Message, StringComparison.Ordinal);
        Assert.Null(outbox.InnerException);
    }

    [Fact]
    public async Task WrongPassword_StopsTheStart_SayingTheCredentialsWereRefused()
    {
        var error = await StartFailsAsync(new() { ["Outbox:RabbitMQ:Uri"] = "amqp://guest:wrong-pw-42@127.0.0.1:5672/" });

        var outbox = Assert.IsType<OutboxException>(error);
        Assert.Contains("127.0.0.1:5672", outbox.Message);
        Assert.Contains("refused the user name or password", outbox.Message);
        Assert.EndsWith("Check the user and password in Outbox:RabbitMQ:Uri.", outbox.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pw-42", error.ToString());
    }

    [Fact]
    public async Task ExchangeDeclaredWithAnotherType_StopsTheStart_NamingTheExchange()
    {
        var exchange = $"outbox-test-fanout-{Guid.NewGuid():N}";
        await Broker.ExchangeDeclareAsync(exchange, "fanout");
        try
        {
            var error = await StartFailsAsync(new() { ["Outbox:RabbitMQ:Exchange"] = exchange });

            var outbox = Assert.IsType<OutboxException>(error);
            Assert.Contains($"refused to declare exchange '{exchange}' (topic, durable): it already exists with other settings", outbox.Message);
        }
        finally
        {
            await Broker.DeleteAsync(exchange);
        }
    }

    [Fact]
    public async Task InvalidSettings_StopTheStart_NamingEachSetting_WithThePasswordHidden()
    {
        var error = await StartFailsAsync(new()
        {
            ["Outbox:RabbitMQ:Uri"] = "http://guest:hunter2-secret@localhost/",
            ["Outbox:RabbitMQ:ExchangeType"] = "headers",
            ["Outbox:RabbitMQ:PrefetchCount"] = "0",
        });

        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains("Outbox:RabbitMQ:Uri must be an amqp:// or amqps:// URI with a host, such as amqp://guest:guest@localhost:5672/ (was 'http://***@localhost/')", validation.Message);
        Assert.Contains("Outbox:RabbitMQ:ExchangeType must be one of topic, direct, fanout (was 'headers')", validation.Message);
        Assert.Contains("Outbox:RabbitMQ:PrefetchCount must be at least 1", validation.Message);
        Assert.DoesNotContain("hunter2-secret", error.ToString());
    }

    // A real host, wired as an application would be, started as the application would start it.
    [Fact]
    public async Task RegisteredButNotChosen_OpensNoConnection_AndTheHostStarts()
    {
        using var host = BothTransports(new() { ["Outbox:Transport"] = "InMemory", ["Outbox:RabbitMQ:Uri"] = "amqp://guest:guest@127.0.0.1:1/" });

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task ChosenInConfiguration_IsConnectedAtStart()
    {
        using var host = BothTransports(new() { ["Outbox:Transport"] = "RabbitMQ", ["Outbox:RabbitMQ:Uri"] = "amqp://guest:guest@127.0.0.1:1/", ["Outbox:RequireBrokerAtStart"] = "true" });

        var error = await Assert.ThrowsAsync<TransportUnavailableException>(() => host.StartAsync());

        Assert.Contains("Could not connect to RabbitMQ at amqp://guest:***@127.0.0.1:1/", error.Message, StringComparison.Ordinal);
    }

    private Microsoft.Extensions.Hosting.IHost BothTransports(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddDbContext<ShopContext>((sp, options) => Database.Configure(options.UseOutbox(sp)));
        builder.Services
            .AddOutbox(builder.Configuration.GetSection("Outbox"), o => o.Route<OrderPlaced>("orders.placed"))
            .UseEntityFrameworkCore<ShopContext>(Database.Store)
            .UseInMemoryTransport()
            .UseRabbitMQ();
        return builder.Build();
    }

    private async Task<Exception> StartFailsAsync(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outbox:RabbitMQ:Uri"] = Broker.Uri,
            ["Outbox:RabbitMQ:Exchange"] = Exchange,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddDbContext<ShopContext>((sp, options) => Database.Configure(options.UseOutbox(sp)));
        builder.Services
            .AddOutbox(builder.Configuration.GetSection("Outbox"), o => o.Route<OrderPlaced>("orders.placed"))
            .UseEntityFrameworkCore<ShopContext>(Database.Store)
            .UseRabbitMQ();
        using var host = builder.Build();
        return await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
    }
}
