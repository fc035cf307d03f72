using Microsoft.Extensions.Logging;

namespace Outbox.Kafka.Telemetry;

// Event ids 201 and up: Outbox.Core's own run from 1, Outbox.RabbitMQ's from 101.
internal static partial class Log
{
    [LoggerMessage(201, LogLevel.Information, "Connected to Kafka at {BootstrapServers} ({Brokers} brokers).")]
    public static partial void Connected(ILogger logger, string bootstrapServers, int brokers);

    [LoggerMessage(202, LogLevel.Warning, "Kafka {Client}: {Reason}. librdkafka keeps retrying; messages stay pending meanwhile.")]
    public static partial void ClientError(ILogger logger, string client, string reason);

    [LoggerMessage(203, LogLevel.Error, "Kafka {Client} failed for good ({Reason}); it is replaced by a new one.")]
    public static partial void FatalError(ILogger logger, string client, string reason);

    [LoggerMessage(204, LogLevel.Debug, "librdkafka {Client} [{Facility}]: {Message}")]
    public static partial void Native(ILogger logger, string client, string facility, string message);

    [LoggerMessage(205, LogLevel.Information, "Consumer {Consumer} reads topic {Topic} in group {Group}.")]
    public static partial void Consuming(ILogger logger, string consumer, string topic, string group);

    [LoggerMessage(206, LogLevel.Information, "Consumer {Consumer} was assigned partitions [{Partitions}] of {Topic}.")]
    public static partial void Assigned(ILogger logger, string consumer, string topic, string partitions);

    [LoggerMessage(207, LogLevel.Information, "Consumer {Consumer} gave up partitions [{Partitions}] of {Topic} ({How}); what it had not finished goes to their next owner.")]
    public static partial void Revoked(ILogger logger, string consumer, string topic, string partitions, string how);

    [LoggerMessage(208, LogLevel.Warning, "Consumer {Consumer} received a record without a message id from {Topic} (partition {Partition}, offset {Offset}); its id is made from that position.")]
    public static partial void MissingMessageId(ILogger logger, string consumer, string topic, int partition, long offset);

    [LoggerMessage(209, LogLevel.Debug, "Consumer {Consumer} could not commit its offsets ({Reason}); it tries again.")]
    public static partial void CommitFailed(ILogger logger, string consumer, string reason);

    [LoggerMessage(210, LogLevel.Information, "Created topic {Topic} for consumer {Consumer}, with the brokers' default partitions and replication.")]
    public static partial void TopicCreated(ILogger logger, string topic, string consumer);

    [LoggerMessage(211, LogLevel.Warning, "The service starts without Kafka at {Address}: {Reason} Messages are committed to the outbox and sent once the brokers answer.")]
    public static partial void StartingWithoutBroker(ILogger logger, string address, string reason);

    [LoggerMessage(212, LogLevel.Information, "Started librdkafka's mock cluster at {Address}, inside this process, for development: its topics and offsets are gone when the process ends.")]
    public static partial void MockClusterStarted(ILogger logger, string address);
}
