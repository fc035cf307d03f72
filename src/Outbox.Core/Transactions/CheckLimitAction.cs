namespace Outbox;

/// <summary>What happens to a half message whose checks reached <c>MaxChecks</c> without a decision.</summary>
public enum CheckLimitAction
{
    /// <summary>Move it to the dead-letter table with reason <c>check-limit-reached</c>; it can be requeued for more checks.</summary>
    DeadLetter,

    /// <summary>Roll it back.</summary>
    Rollback,

    /// <summary>Commit it.</summary>
    Commit,
}
