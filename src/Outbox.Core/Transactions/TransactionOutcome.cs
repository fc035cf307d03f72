namespace Outbox;

/// <summary>Where a half message stands.</summary>
public enum TransactionOutcome
{
    /// <summary>Committed: the dispatcher sends it.</summary>
    Committed,

    /// <summary>Rolled back: it is never sent, and is kept for audit until retention removes it.</summary>
    RolledBack,

    /// <summary>Still prepared: the check callback decides.</summary>
    AwaitingCheck,
}
