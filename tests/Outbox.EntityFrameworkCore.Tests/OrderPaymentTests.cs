using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The order/payment sample's runner, as a process from the repository root, on its embedded defaults.</summary>
public sealed class OrderPaymentTests
{
    [Fact]
    public async Task Runner_With200Orders_EveryOrderEndsAsItsGatewayAnswerDecides()
    {
        var (exitCode, output) = await OrderPaymentRun.RunAsync(200);

        OrderPaymentRun.AssertEveryOrder(exitCode, output, 200, "InMemory");
    }

    [Fact]
    public async Task Runner_WithAnUnknownOption_SaysWhichOptionsThereAre()
    {
        var (exitCode, output) = await QuickStartRun.RunAsync("run --project samples/OrderPayment/Runner -- --order 5");

        Assert.Equal(2, exitCode);
        Assert.Contains("Unknown option '--order'. Options: --orders N, --transport InMemory|RabbitMQ|Kafka.", output, StringComparison.Ordinal);
    }
}
