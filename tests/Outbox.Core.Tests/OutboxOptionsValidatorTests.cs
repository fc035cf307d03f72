using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outbox.Configuration;

namespace Outbox.Tests;

public sealed class OutboxOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid() =>
        Assert.True(Validate(new OutboxOptions()).Succeeded);

    [Theory]
    [InlineData("Outbox:Dispatch:BatchSize", "0", "Outbox:Dispatch:BatchSize must be between 1 and 10000 (was 0)")]
    [InlineData("Outbox:Dispatch:MaxAttempts", "-1", "Outbox:Dispatch:MaxAttempts must be between 1 and 1000 (was -1)")]
    [InlineData("Outbox:MaxPayloadBytes", "0", "Outbox:MaxPayloadBytes must be greater than 0 (was 0)")]
    [InlineData("Outbox:Dispatch:PollInterval", "00:00:00", "Outbox:Dispatch:PollInterval must be longer than zero")]
    [InlineData("Outbox:Dispatch:MaxPollInterval", "00:00:00.1", "Outbox:Dispatch:MaxPollInterval (00:00:00.1000000) must not be shorter than Outbox:Dispatch:PollInterval")]
    [InlineData("Outbox:Dispatch:CircuitBreaker:FailureRatio", "1.5", "Outbox:Dispatch:CircuitBreaker:FailureRatio must be between 0 and 1, Polly's limits (was 1.5)")]
    [InlineData("Outbox:Dispatch:CircuitBreaker:MinimumThroughput", "1", "Outbox:Dispatch:CircuitBreaker:MinimumThroughput must be at least 2, Polly's limits (was 1)")]
    [InlineData("Outbox:Dispatch:CircuitBreaker:BreakDuration", "00:00:00.1", "Outbox:Dispatch:CircuitBreaker:BreakDuration must be between 500 ms and 1 day, Polly's limits (was 00:00:00.1000000)")]
    [InlineData("Outbox:Consumers:DedupeWindow", "-1.00:00:00", "Outbox:Consumers:DedupeWindow must be longer than zero (was -1.00:00:00)")]
    [InlineData("Outbox:Dispatch:Retry:Delay", "00:00:00", "Outbox:Dispatch:Retry:Delay must be longer than zero (was 00:00:00)")]
    [InlineData("Outbox:Dispatch:AttemptTimeout", "00:00:00.001", "Outbox:Dispatch:AttemptTimeout must be between 10 ms and 1 hour (was 00:00:00.0010000)")]
    [InlineData("Outbox:Consumers:Retry:MaxRetryAttempts", "101", "Outbox:Consumers:Retry:MaxRetryAttempts must be between 0 and 100 (was 101)")]
    [InlineData("Outbox:Dispatch:LeaseDuration", "00:00:10", "Outbox:Dispatch:LeaseDuration (00:00:10) must be longer than a send with all its retries")]
    [InlineData("Outbox:Transactions:CheckAfter", "-00:00:01", "Outbox:Transactions:CheckAfter must be longer than zero")]
    [InlineData("Outbox:Health:MaxPendingAge", "00:00:00", "Outbox:Health:MaxPendingAge must be between 1 s and 30 days (was 00:00:00)")]
    [InlineData("Outbox:Retention:BatchSize", "0", "Outbox:Retention:BatchSize must be between 1 and 100000 (was 0)")]
    [InlineData("Outbox:Routes:OrderPlaced", " ", "Outbox:Routes:OrderPlaced must name a destination")]
    [InlineData("Outbox:Consumers:MaxRedeliveryDelay", "00:00:01", "Outbox:Consumers:MaxRedeliveryDelay (00:00:01) must not be shorter than Outbox:Consumers:RedeliveryDelay (00:00:05)")]
    [InlineData("Outbox:Consumers:SequenceHoldTimeout", "00:00:00", "Outbox:Consumers:SequenceHoldTimeout must be longer than zero")]
    [InlineData("Outbox:Consumers:OnSequenceGap", "7", "Outbox:Consumers:OnSequenceGap must be Report or Hold (was 7)")]
    [InlineData("Outbox:Consumers:Retry:MaxDelay", "00:00:00.001", "Outbox:Consumers:Retry:MaxDelay (00:00:00.0010000) must not be shorter than Outbox:Consumers:Retry:Delay")]
    public void BadSetting_IsRejected_WithAMessageNamingIt(string key, string value, string expected)
    {
        var result = Validate(Bind(new() { [key] = value }));

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_FailsOnABadSetting_NamingIt()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Outbox:Dispatch:BatchSize"] = "0" });
        builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox")).UseInMemoryTransport().UseStore(_ => new RecordingStore());
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Outbox:Dispatch:BatchSize must be between 1 and 10000 (was 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SettingsInCodeOnly_AreTakenAndValidated_WithoutAConfiguration()
    {
        var services = new ServiceCollection();
        services.AddOutbox(o =>
        {
            o.Route<ConsumerRegistrationTests.Ping>("pings");
            o.Dispatch.BatchSize = 0;
        }).UseInMemoryTransport();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains("Dispatch:BatchSize must be between 1 and 10000 (was 0)", error.Message, StringComparison.Ordinal);
        services.Configure<OutboxOptions>(o => o.Dispatch.BatchSize = 10);
        using var fixedProvider = services.BuildServiceProvider();
        Assert.Equal("pings", fixedProvider.GetRequiredService<IOptions<OutboxOptions>>().Value.Routes["Ping"]);
    }

    [Fact]
    public void ConfigurationRoute_OverridesTheRouteGivenInCode()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Routes:Ping"] = "from.config" }).Build();
        services.AddOutbox(configuration, o => o.Route<Ping>("from.code"));

        var options = services.BuildServiceProvider().GetRequiredService<IOptions<OutboxOptions>>().Value;

        Assert.Equal("from.config", options.Routes["Ping"]);
    }

    [Fact]
    public void MissingTransport_FailsWithAMessageSayingWhatToCall()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOutbox(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<Outbox.Dispatching.SendPipeline>());

        Assert.Contains("No outbox transport is configured: call UseInMemoryTransport(), UseRabbitMQ() or UseKafka()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingStorage_FailsAtStart_WithAMessageSayingWhatToCall()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox")).UseInMemoryTransport();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("call UseEntityFrameworkCore<TContext>(database => ...)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TransactionCheck_ForAnUnregisteredType_IsAStartUpError_NamingIt()
    {
        var services = new ServiceCollection();
        services.AddOutbox(new ConfigurationBuilder().Build()).AddTransactionCheck<Ping, PingCheck>();

        var error = Assert.Throws<OptionsValidationException>(() => services.BuildServiceProvider().GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains("AddTransactionCheck<Ping, …>: Ping is not a registered message type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoTransactionChecks_ForOneType_AreAStartUpError()
    {
        var services = new ServiceCollection();
        services.AddOutbox(new ConfigurationBuilder().Build(), o => o.Route<Ping>("pings"))
            .AddTransactionCheck<Ping, PingCheck>()
            .AddTransactionCheck<Ping, PingCheck>();

        var error = Assert.Throws<OptionsValidationException>(() => services.BuildServiceProvider().GetRequiredService<IOptions<OutboxOptions>>().Value);

        Assert.Contains("AddTransactionCheck is called more than once for Ping", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Outbox:Transactions:MaxChecks", "0", "Outbox:Transactions:MaxChecks must be between 1 and 10000 (was 0)")]
    [InlineData("Outbox:Transactions:CheckInterval", "00:00:00", "Outbox:Transactions:CheckInterval must be longer than zero")]
    [InlineData("Outbox:Transactions:CheckConcurrency", "0", "Outbox:Transactions:CheckConcurrency must be between 1 and 256 (was 0)")]
    public void BadTransactionSetting_IsRejected_WithAMessageNamingIt(string key, string value, string expected) =>
        BadSetting_IsRejected_WithAMessageNamingIt(key, value, expected);

    // As at start-up: the generated range checks, then the hand-written rules.
    private static ValidateOptionsResult Validate(OutboxOptions options)
    {
        var failures = new IValidateOptions<OutboxOptions>[] { new OutboxOptionsRanges(), new OutboxOptionsValidator() }
            .Select(validator => validator.Validate(null, options))
            .Where(result => result.Failed)
            .SelectMany(result => result.Failures!)
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static OutboxOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new OutboxOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Outbox").Bind(options);
        return options;
    }

    private sealed record Ping;

    private sealed class PingCheck : Outbox.ITransactionCheck<Ping>
    {
        public ValueTask<Outbox.LocalTransactionState> CheckAsync(Ping message, Outbox.TransactionCheckContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Outbox.LocalTransactionState.Commit);
    }
}
