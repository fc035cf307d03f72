using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outbox.EntityFrameworkCore;
using Outbox.RabbitMQ.Connection;
using Outbox.Testing;

namespace Outbox.RabbitMQ.Tests;

/// <summary>A password planted in the broker's URI, in every form a person may write it, appears in no error, log line or health description.</summary>
public sealed class SecretTests : RabbitMQScenarios
{
    public static TheoryData<string, string[]> PlantedPasswords() => new()
    {
        { "amqp://guest:pass word-7x@127.0.0.1:1/", ["pass word-7x", "pass%20word-7x", "word-7x"] },
        { "amqp://guest:p@ss-7x@127.0.0.1:1/", ["p@ss-7x", "ss-7x"] },
        { "amqp://guest:s3cr%40t-7x@127.0.0.1:1/", ["s3cr%40t-7x", "s3cr@t-7x"] },
        { "amqp:/guest:typo-7x@127.0.0.1:1/", ["typo-7x"] },
        { "amqp//guest:typo2-7x@127.0.0.1:1/", ["typo2-7x"] },
        { "amqp://guest:pa/ss-7x@127.0.0.1:1/", ["pa/ss-7x", "ss-7x"] },
        { "amqp://guest:no-host-7x", ["no-host-7x"] },
        { "amqp://guest:wrong-7x@127.0.0.1:5672/", ["wrong-7x"] },
    };

    [Theory]
    [MemberData(nameof(PlantedPasswords))]
    public async Task PlantedPassword_AppearsInNoErrorLogOrHealthDescription(string uri, string[] secrets)
    {
        var logs = new LogCapture();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Outbox:RabbitMQ:Uri"] = uri, ["Outbox:RabbitMQ:Exchange"] = Exchange });
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddDbContext<ShopContext>((sp, options) => Database.Configure(options.UseOutbox(sp)));
        builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox"), o => o.Route<OrderPlaced>("orders.placed"))
            .UseEntityFrameworkCore<ShopContext>(Database.Store)
            .UseRabbitMQ();
        builder.Services.AddHealthChecks().AddOutboxHealthChecks();
        using var host = builder.Build();

        var written = new List<string>();
        try
        {
            await host.StartAsync();
            await host.StopAsync();
        }
        catch (Exception error)
        {
            written.Add(error.ToString());
        }

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        written.AddRange(health.Entries.Values.Select(e => $"{e.Description} {e.Exception}"));
        written.AddRange(logs.Entries.Select(e => $"{e.Message} {e.Exception}"));

        Assert.NotEmpty(written);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(written, text => text.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("amqp://guest:secret@localhost:5672/", "amqp://guest:***@localhost:5672/")]
    [InlineData("amqps://user:s3cr%40t@broker.example:5671/vhost", "amqps://user:***@broker.example:5671/vhost")]
    [InlineData("amqp://guest:p@ss@localhost/", "amqp://***@localhost/")]
    [InlineData("amqp://guest:pass word@localhost/", "amqp://***@localhost/")]
    [InlineData("amqp:/guest:typo@localhost/", "***@localhost/")]
    [InlineData("amqp://guest:secret", "amqp://*** (not a valid URI)")]
    [InlineData("amqp://localhost:5672/", "amqp://localhost:5672/")]
    [InlineData("amqp://guest@localhost/", "amqp://guest@localhost/")]
    public void Redact_KeepsTheUserOfAWellFormedUri_AndDropsAllUserInfoOfAnyOther(string uri, string shown) =>
        Assert.Equal(shown, BrokerAddress.Redact(uri));
}
