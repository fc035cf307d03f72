namespace Outbox.Storage;

/// <summary>Who gave up on a dead-lettered message; a requeue hands it back to the same place.</summary>
public static class DeadLetterSources
{
    /// <summary>The dispatcher, after <c>MaxAttempts</c> failed sends.</summary>
    public const string Dispatch = "dispatch";

    /// <summary>The transaction check, after <c>MaxChecks</c> undecided checks, or for a half message it cannot check.</summary>
    public const string TransactionCheck = "transaction-check";

    /// <summary>A consumer, after <c>MaxDeliveries</c>, or for a message it can never handle.</summary>
    public const string Consumer = "consumer";
}
