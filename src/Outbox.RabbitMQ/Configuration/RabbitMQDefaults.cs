namespace Outbox.RabbitMQ.Configuration;

/// <summary>The default value of every RabbitMQ setting, in one place.</summary>
internal static class RabbitMQDefaults
{
    /// <summary>The configuration section the options bind from, under <c>Outbox</c>.</summary>
    public const string SectionName = "RabbitMQ";

    /// <summary>The broker: <c>amqp://guest:guest@localhost:5672/</c>.</summary>
    public const string Uri = "amqp://guest:guest@localhost:5672/";

    /// <summary>The exchange messages are published to: <c>outbox</c>.</summary>
    public const string Exchange = "outbox";

    /// <summary>The exchange type: <c>topic</c>.</summary>
    public const string ExchangeType = "topic";

    /// <summary>Unacknowledged deliveries a consumer holds at once: 32.</summary>
    public const ushort PrefetchCount = 32;

    /// <summary>How long opening a connection may take: 10 seconds.</summary>
    public static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Wait between two attempts to reconnect after the connection was lost: 1 second.</summary>
    public static readonly TimeSpan RecoveryInterval = TimeSpan.FromSeconds(1);
}
