using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Outbox.RabbitMQ.Connection;
using Outbox.RabbitMQ.Consuming;
using Outbox.Transport;
using RabbitMQ.Client;

namespace Outbox.RabbitMQ.Tests;

/// <summary>
/// After a broker restart a consumer still holds deliveries of the channel that went down: settling them
/// must not throw (the broker gives them back anyway), or the consumer stops for good.
/// </summary>
public sealed class DeliverySettleTests : RabbitMQScenarios
{
    [Theory]
    [InlineData("closed")]
    [InlineData("disposed")]
    public async Task SettlingOnAChannelThatIsGone_DoesNotThrow(string how)
    {
        var host = Host();
        var connection = host.Services.GetRequiredService<RabbitMQConnection>();
        var channel = await Broker.OpenChannelAsync();
        if (how == "closed")
        {
            await channel.CloseAsync();
        }
        else
        {
            await channel.DisposeAsync();
        }

        var message = new TransportMessage(Guid.NewGuid(), "orders.placed", "OrderPlaced", null, "{}"u8.ToArray(), "application/json", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        var delivery = new RabbitMQDelivery(channel, 1, message, 1, new ConsumerQueue("gone", "orders.placed", Exchange), connection, NullLogger.Instance);

        await delivery.AcknowledgeAsync(CancellationToken.None);
    }
}
