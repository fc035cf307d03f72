namespace Outbox.Configuration;

/// <summary>Resolution of prepared (half) rows (<c>Outbox:Transactions</c>).</summary>
public sealed class TransactionOptions
{
    /// <summary>
    /// The age after which a prepared row is resolved by the recovery job. A row written by the outbox
    /// interceptor that is still prepared this long after it was written (and no longer leased) was
    /// committed by a process that did not get to send it, and is sent.
    /// </summary>
    /// <value>The default is 6 seconds.</value>
    public TimeSpan CheckAfter { get; set; } = OutboxDefaults.CheckAfter;

    /// <summary>How often the recovery job looks for stale prepared rows.</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan ScanInterval { get; set; } = OutboxDefaults.ScanInterval;

    /// <summary>Prepared rows resolved per statement of the recovery job.</summary>
    /// <value>The default is 500.</value>
    public int CheckBatchSize { get; set; } = OutboxDefaults.CheckBatchSize;
}
