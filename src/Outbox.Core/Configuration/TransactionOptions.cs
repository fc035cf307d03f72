using Outbox.Transactions;

namespace Outbox.Configuration;

/// <summary>Resolution of prepared (half) rows and transactional messages (<c>Outbox:Transactions</c>).</summary>
public sealed class TransactionOptions
{
    /// <summary>
    /// The age after which a prepared row is resolved by the recovery job (RocketMQ's
    /// <c>transactionTimeout</c>). A half message is checked through its check callback. A row
    /// written by the outbox interceptor that is still prepared this long after it was written (and
    /// no longer leased) was committed by a process that did not get to send it, and is sent, unless
    /// a check callback is registered for its type, which then decides.
    /// </summary>
    /// <value>The default is 6 seconds.</value>
    [LongerThanZero]
    public TimeSpan CheckAfter { get; set; } = OutboxDefaults.CheckAfter;

    /// <summary>How often the recovery job looks for stale prepared rows.</summary>
    /// <value>The default is 5 seconds.</value>
    [LongerThanZero]
    public TimeSpan ScanInterval { get; set; } = OutboxDefaults.ScanInterval;

    /// <summary>The wait before checking again a half message whose check answered Unknown or failed.</summary>
    /// <value>The default is 30 seconds.</value>
    [LongerThanZero]
    public TimeSpan CheckInterval { get; set; } = OutboxDefaults.CheckInterval;

    /// <summary>Checks of a half message before <see cref="OnCheckLimit"/> applies.</summary>
    /// <value>The default is 15.</value>
    [SettingRange(1, 10_000)]
    public int MaxChecks { get; set; } = OutboxDefaults.MaxChecks;

    /// <summary>What happens when a half message reaches <see cref="MaxChecks"/> without a decision.</summary>
    /// <value>The default is <see cref="CheckLimitAction.DeadLetter"/>: it is never dropped silently.</value>
    public CheckLimitAction OnCheckLimit { get; set; } = CheckLimitAction.DeadLetter;

    /// <summary>Check callbacks one instance runs at the same time.</summary>
    /// <value>The default is 8.</value>
    [SettingRange(1, 256)]
    public int CheckConcurrency { get; set; } = OutboxDefaults.CheckConcurrency;

    /// <summary>Prepared rows resolved or checked per batch of the recovery job.</summary>
    /// <value>The default is 500.</value>
    [SettingRange(1, 100_000)]
    public int CheckBatchSize { get; set; } = OutboxDefaults.CheckBatchSize;
}
