using Microsoft.Extensions.Logging;

namespace Outbox.Telemetry;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Outbox dispatcher started as instance {InstanceId}.")]
    public static partial void DispatcherStarted(ILogger logger, string instanceId);

    [LoggerMessage(2, LogLevel.Warning, "Sending {Count} message(s) failed: {Error}")]
    public static partial void SendFailed(ILogger logger, Exception? exception, int count, string error);

    [LoggerMessage(24, LogLevel.Debug, "Sending {Count} message(s) failed again, the broker still unreachable: {Error}")]
    public static partial void SendStillFailing(ILogger logger, int count, string error);

    [LoggerMessage(3, LogLevel.Error, "Message {MessageId} ({MessageType} to {Destination}) moved to the dead-letter table after {Attempts} attempts: {Error}")]
    public static partial void DeadLettered(ILogger logger, Guid messageId, string messageType, string destination, int attempts, string? error);

    [LoggerMessage(4, LogLevel.Warning, "The broker cannot be reached: sending stops, messages stay pending without counting attempts, and one send tries the broker every {BreakDuration}.")]
    public static partial void CircuitOpened(ILogger logger, Exception? exception, TimeSpan breakDuration);

    [LoggerMessage(23, LogLevel.Information, "The broker answers again: sending resumes.")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(6, LogLevel.Information, "Recovered {Count} committed message(s) that were never sent (prepared for longer than {CheckAfter}).")]
    public static partial void Recovered(ILogger logger, int count, TimeSpan checkAfter);

    [LoggerMessage(7, LogLevel.Debug, "Retention deleted {Count} finished outbox row(s).")]
    public static partial void RetentionDeleted(ILogger logger, int count);

    [LoggerMessage(9, LogLevel.Information, "Requeued {Count} dead letter(s).")]
    public static partial void Requeued(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Warning, "The local transaction of half message {MessageId} failed; its check callback decides later.")]
    public static partial void LocalTransactionFailed(ILogger logger, Exception exception, Guid messageId);

    [LoggerMessage(11, LogLevel.Warning, "A {Decision} of half message {MessageId} arrived after it was {Standing}; the first decision stands.")]
    public static partial void ConflictingDecision(ILogger logger, Guid messageId, string decision, Outbox.TransactionOutcome standing);

    [LoggerMessage(12, LogLevel.Warning, "The check of half message {MessageId} failed; it is checked again later.")]
    public static partial void CheckFailed(ILogger logger, Exception exception, Guid messageId);

    [LoggerMessage(13, LogLevel.Error, "Half message {MessageId} is still undecided after {Checks} checks; OnCheckLimit is {Action}.")]
    public static partial void CheckLimitReached(ILogger logger, Guid messageId, int checks, string action);

    [LoggerMessage(14, LogLevel.Information, "{Count} check answer(s) came after a decision by the application and were not applied.")]
    public static partial void LateCheckAnswers(ILogger logger, int count);

    [LoggerMessage(15, LogLevel.Warning, "Consumer {Consumer} failed to handle message {MessageId} (delivery {Attempt}); it is delivered again in {Delay}.")]
    public static partial void HandlerFailed(ILogger logger, Exception? exception, Guid messageId, string consumer, int attempt, TimeSpan delay);

    [LoggerMessage(16, LogLevel.Error, "Consumer {Consumer} set message {MessageId} aside in the dead-letter table ({Reason}, delivery {Attempt}): {Error}")]
    public static partial void DeliveryDeadLettered(ILogger logger, Exception? exception, Guid messageId, string consumer, string reason, int attempt, string? error);


    [LoggerMessage(18, LogLevel.Warning, "Consumer {Consumer} stopped receiving; it reads again every {Delay} until the transport answers.")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string consumer, TimeSpan delay);

    [LoggerMessage(19, LogLevel.Debug, "Consumer {Consumer} still cannot receive: {Error}")]
    public static partial void ReceiveStillFailing(ILogger logger, string consumer, string error);

    [LoggerMessage(20, LogLevel.Information, "Consumer {Consumer} receives again.")]
    public static partial void ReceivingAgain(ILogger logger, string consumer);

    [LoggerMessage(21, LogLevel.Warning, "Consumer {Consumer} could not settle message {MessageId} with the transport; the transport delivers it again and the inbox absorbs it.")]
    public static partial void SettleFailed(ILogger logger, Exception exception, string consumer, Guid messageId);

    [LoggerMessage(22, LogLevel.Error, "A delivery of message {MessageId} was abandoned by a fault in the consumer; the transport delivers it again.")]
    public static partial void DeliveryAbandoned(ILogger logger, Exception exception, Guid messageId);

    [LoggerMessage(25, LogLevel.Warning, "Consumer {Consumer} is missing messages {FirstMissing} to {LastMissing} of key {Key} from {Source}: it received {Sequence} after {Previous}.")]
    public static partial void SequenceGap(ILogger logger, string consumer, string source, string key, long firstMissing, long lastMissing, long sequence, long previous);

    [LoggerMessage(26, LogLevel.Information, "Consumer {Consumer} received message {Sequence} of key {Key} from {Source} late: it is no longer missing.")]
    public static partial void SequenceLate(ILogger logger, string consumer, string source, string key, long sequence);

    [LoggerMessage(27, LogLevel.Warning, "Consumer {Consumer} received message {Sequence} of key {Key} from {Source} out of order, after {Previous}: a repeat with another message id, or a step backwards.")]
    public static partial void SequenceOutOfOrder(ILogger logger, string consumer, string source, string key, long sequence, long previous);

    [LoggerMessage(28, LogLevel.Information, "Consumer {Consumer} holds message {Sequence} of key {Key} from {Source} until it has handled {FirstMissing} to {LastMissing}, for at most {Timeout}.")]
    public static partial void SequenceHeld(ILogger logger, string consumer, string source, string key, long sequence, long firstMissing, long lastMissing, TimeSpan timeout);

    [LoggerMessage(29, LogLevel.Error, "Consumer {Consumer} set message {MessageId}, number {Sequence} of key {Key} from {Source}, aside in the dead-letter table ({Reason}, delivery {Attempt}); the sequence check counts it as handled: {Error}")]
    public static partial void NumberedDeliveryDeadLettered(
        ILogger logger, Exception? exception, Guid messageId, string consumer, long sequence, string key, string source, string reason, int attempt, string? error);

    [LoggerMessage(30, LogLevel.Debug, "Consumer {Consumer} counts message {MessageId} as delivery 1: the transport reported delivery {Attempt}, which is not one the outbox writes (1 to {MaxDeliveries}).")]
    public static partial void AttemptIgnored(ILogger logger, string consumer, Guid messageId, int attempt, int maxDeliveries);

    [LoggerMessage(31, LogLevel.Debug, "Consumer {Consumer} skips message {MessageId}: it is a requeue for consumer {Target} only.")]
    public static partial void DeliveryForAnotherConsumer(ILogger logger, string consumer, Guid messageId, string target);

    [LoggerMessage(32, LogLevel.Debug, "Consumer {Consumer} handles message {MessageId} although its outbox-consumer header names another consumer: no consumer of this service has that name, so the header is ignored.")]
    public static partial void UnknownTargetConsumerIgnored(ILogger logger, string consumer, Guid messageId);

    [LoggerMessage(33, LogLevel.Warning, "Consumer {Consumer} could not store the dead letter of message {MessageId} whole; it stored its id, body and reason only.")]
    public static partial void DeadLetterCut(ILogger logger, Exception exception, Guid messageId, string consumer);

    [LoggerMessage(34, LogLevel.Warning, "{Component} cannot reach the database; it pauses, and tries again at least every {RetryEvery}.")]
    public static partial void DatabaseUnreachable(ILogger logger, Exception exception, string component, TimeSpan retryEvery);

    [LoggerMessage(35, LogLevel.Debug, "{Component} still cannot reach the database: {Error}")]
    public static partial void DatabaseStillUnreachable(ILogger logger, string component, string error);

    [LoggerMessage(36, LogLevel.Information, "{Component} reaches the database again, after {Duration}.")]
    public static partial void DatabaseAnswersAgain(ILogger logger, string component, TimeSpan duration);

    [LoggerMessage(37, LogLevel.Debug, "Consumer {Consumer} starts without its queue or topic declared ({Reason}); it declares it once the broker answers.")]
    public static partial void DeclareDeferred(ILogger logger, string consumer, string reason);
}
