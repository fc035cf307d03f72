using Outbox.Testing;

namespace Outbox.RabbitMQ.Tests;

/// <summary>The order/payment sample switched to RabbitMQ by configuration alone: both services, one broker.</summary>
public sealed class OrderPaymentTests
{
    private static readonly string[] Queues = ["payments", "orders-paid", "orders-cancelled"];

    [Fact]
    public async Task Runner_OverRabbitMQ_EveryOrderEndsAsItsGatewayAnswerDecides()
    {
        await using var broker = await Broker.ConnectAsync();
        await broker.DeleteAsync(null, Queues); // a stopped run's messages would be for orders this run does not have

        var (exitCode, output) = await OrderPaymentRun.RunAsync(200, ("Outbox__Transport", "RabbitMQ"), ("Outbox__RabbitMQ__Uri", Broker.Uri));

        OrderPaymentRun.AssertEveryOrder(exitCode, output, 200, "RabbitMQ");
        foreach (var queue in Queues)
        {
            Assert.Equal(0u, await broker.CountAsync(queue));
        }
    }
}
