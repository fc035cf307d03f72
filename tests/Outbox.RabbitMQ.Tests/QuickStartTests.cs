using Outbox.Testing;

namespace Outbox.RabbitMQ.Tests;

/// <summary>The QuickStart switched to RabbitMQ by one environment variable, nothing else changed.</summary>
public sealed class QuickStartTests
{
    private static readonly string[] Queues = ["shipping", "order-log", "reminder-log", "payment-log", "audit"];

    [Fact]
    public async Task QuickStart_WithOutboxTransportRabbitMQ_RunsEveryStepThroughTheBroker()
    {
        await using var broker = await Broker.ConnectAsync();
        await broker.DeleteAsync(null, Queues); // so that the queues found below are this run's

        var (exitCode, output) = await QuickStartRun.RunAsync(
            "run --project samples/QuickStart",
            ("Outbox__Transport", "RabbitMQ"),
            ("Outbox__RabbitMQ__Uri", Broker.Uri));

        QuickStartRun.AssertEveryStep(exitCode, output, "RabbitMQ");
        // Declared by the run's consumers (a missing queue throws), and left empty for the next run.
        var left = new Dictionary<string, uint>();
        foreach (var queue in Queues)
        {
            left[queue] = await broker.CountAsync(queue);
        }

        Assert.True(left.Values.All(count => count == 0), $"Messages left in queues: {string.Join(", ", left)}");
    }

    [Fact]
    public async Task QuickStart_WithTheBrokerUnreachable_SaysSoAndExitsOne()
    {
        var (exitCode, output) = await QuickStartRun.RunAsync(
            "run --project samples/QuickStart",
            ("Outbox__Transport", "RabbitMQ"),
            ("Outbox__RabbitMQ__Uri", "amqp://guest:guest@127.0.0.1:1/"));

        Assert.Equal(1, exitCode);
        Assert.Contains("Could not connect to RabbitMQ at amqp://guest:***@127.0.0.1:1/", output, StringComparison.Ordinal);
        Assert.DoesNotContain("] 1. ", output, StringComparison.Ordinal);
    }
}
