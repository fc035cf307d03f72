using Outbox.Testing;

namespace Outbox.Kafka.Tests;

/// <summary>The order/payment sample switched to Kafka by configuration alone: both services, one cluster (the test's, or the mock the sample starts).</summary>
public sealed class OrderPaymentTests : IDisposable
{
    private readonly MockCluster _cluster = new();

    [Fact]
    public async Task Runner_OverKafka_EveryOrderEndsAsItsGatewayAnswerDecides()
    {
        var (exitCode, output) = await OrderPaymentRun.RunAsync(200, _cluster.EnvironmentVariables());

        OrderPaymentRun.AssertEveryOrder(exitCode, output, 200, "Kafka");
    }

    [Fact]
    public async Task Runner_OnTheMockClusterOfItsOwnProcess_AsTheSampleReadmeShowsIt()
    {
        var (exitCode, output) = await OrderPaymentRun.RunReadmeBlockAsync("Outbox__Kafka__BootstrapServers=mock");

        OrderPaymentRun.AssertEveryOrder(exitCode, output, 20, "Kafka");
    }

    public void Dispose() => _cluster.Dispose();
}
