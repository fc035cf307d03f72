using Outbox.Testing;

namespace Outbox.Kafka.Tests;

/// <summary>The QuickStart switched to Kafka by configuration alone, nothing else changed.</summary>
public sealed class QuickStartTests : IDisposable
{
    private readonly MockCluster _cluster = new();

    [Fact]
    public async Task QuickStart_WithOutboxTransportKafka_RunsEveryStepThroughTheBroker()
    {
        var (exitCode, output) = await QuickStartRun.RunAsync("run --project samples/QuickStart", _cluster.EnvironmentVariables());

        QuickStartRun.AssertEveryStep(exitCode, output, "Kafka");
    }

    [Fact]
    public async Task QuickStart_WithTheBrokersUnreachable_SaysSoAndExitsOne()
    {
        var (exitCode, output) = await QuickStartRun.RunAsync(
            "run --project samples/QuickStart",
            ("Outbox__Transport", "Kafka"),
            ("Outbox__Kafka__BootstrapServers", "127.0.0.1:1"),
            ("Outbox__Kafka__ConnectionTimeout", "00:00:02"));

        Assert.Equal(1, exitCode);
        Assert.Contains("Kafka at 127.0.0.1:1 did not answer within 2 s", output, StringComparison.Ordinal);
        Assert.DoesNotContain("] 1. ", output, StringComparison.Ordinal);
    }

    public void Dispose() => _cluster.Dispose();
}
