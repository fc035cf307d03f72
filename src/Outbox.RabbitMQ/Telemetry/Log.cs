using Microsoft.Extensions.Logging;

namespace Outbox.RabbitMQ.Telemetry;

// Event ids 101 and up: Outbox.Core's own run from 1.
internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Information, "Connected to RabbitMQ at {Address}.")]
    public static partial void Connected(ILogger logger, string address);

    [LoggerMessage(102, LogLevel.Warning, "Lost the connection to RabbitMQ at {Address} ({Reason}); reconnecting. Messages stay pending meanwhile.")]
    public static partial void ConnectionLost(ILogger logger, string address, string reason);

    [LoggerMessage(103, LogLevel.Information, "Reconnected to RabbitMQ at {Address}.")]
    public static partial void ConnectionRecovered(ILogger logger, string address);

    [LoggerMessage(104, LogLevel.Information, "Consumer {Consumer} reads queue {Queue} (bound to {Exchange} with {RoutingKey}, prefetch {Prefetch}).")]
    public static partial void Consuming(ILogger logger, string consumer, string queue, string exchange, string routingKey, ushort prefetch);

    [LoggerMessage(105, LogLevel.Warning, "Could not delay message {MessageId} for consumer {Consumer}; it is returned to its queue at once instead.")]
    public static partial void DelayFailed(ILogger logger, Exception exception, string messageId, string consumer);

    [LoggerMessage(106, LogLevel.Warning, "Consumer {Consumer} received a message without a message id from queue {Queue}; its id is made from its content, so a redelivery of it is recognised, and so is another message with the same content, headers and timestamp.")]
    public static partial void MissingMessageId(ILogger logger, string consumer, string queue);

    [LoggerMessage(107, LogLevel.Debug, "The channel of consumer {Consumer} closed before message {MessageId} was settled ({Reason}); RabbitMQ delivers it again.")]
    public static partial void SettleOnClosedChannel(ILogger logger, string messageId, string consumer, string reason);

    [LoggerMessage(109, LogLevel.Debug, "The connection to RabbitMQ at {Address} closed while the service stops ({Reason}); what was not acknowledged is delivered again.")]
    public static partial void ConnectionClosedWhileStopping(ILogger logger, string address, string reason);

    [LoggerMessage(108, LogLevel.Warning, "The service starts without RabbitMQ at {Address}: {Reason} Messages are committed to the outbox and sent once the broker answers.")]
    public static partial void StartingWithoutBroker(ILogger logger, string address, string reason);
}
