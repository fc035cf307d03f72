namespace Outbox.Storage;

/// <summary>Where a message in the outbox is in its life.</summary>
public enum MessageStatus
{
    /// <summary>Written inside a transaction whose outcome is not yet known to the dispatcher (a half message).</summary>
    Prepared = 0,

    /// <summary>Committed and waiting to be sent (or to be retried).</summary>
    Pending = 1,

    /// <summary>Accepted by the transport.</summary>
    Dispatched = 2,

    /// <summary>Discarded: its transaction was rolled back.</summary>
    RolledBack = 3,
}
