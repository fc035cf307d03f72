using Outbox.Testing;

namespace Outbox.Kafka.Tests;

/// <summary>The order/payment sample switched to Kafka by configuration alone: both services, one cluster.</summary>
public sealed class OrderPaymentTests : IDisposable
{
    private readonly MockCluster _cluster = new();

    [Fact]
    public async Task Runner_OverKafka_EveryOrderEndsAsItsGatewayAnswerDecides()
    {
        var (exitCode, output) = await OrderPaymentRun.RunAsync(
            200,
            [("Outbox__Transport", "Kafka"), ("Outbox__Kafka__BootstrapServers", _cluster.BootstrapServers), .. MockCluster.ConsumerSettings.Select(s => ($"Outbox__Kafka__Consumer__{s.Key}", s.Value))]);

        OrderPaymentRun.AssertEveryOrder(exitCode, output, 200, "Kafka");
    }

    public void Dispose() => _cluster.Dispose();
}
