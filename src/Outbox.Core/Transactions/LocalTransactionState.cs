namespace Outbox;

/// <summary>The outcome of the application's local transaction, as RocketMQ's <c>LocalTransactionState</c>.</summary>
public enum LocalTransactionState
{
    /// <summary>The local transaction committed: the message is sent.</summary>
    Commit,

    /// <summary>The local transaction rolled back: the message is discarded.</summary>
    Rollback,

    /// <summary>Not known yet: the check callback is asked later.</summary>
    Unknown,
}
