namespace Outbox.Transport;

/// <summary>What happened to one message of a batch.</summary>
public enum SendStatus
{
    /// <summary>The broker accepted the message.</summary>
    Sent,

    /// <summary>The send failed; it will be retried.</summary>
    Failed,

    /// <summary>The broker accepted the message but no destination exists for it; it will be retried.</summary>
    Unroutable,
}
