namespace Outbox.Configuration;

/// <summary>Deletion of finished rows (<c>Outbox:Retention</c>).</summary>
public sealed class RetentionOptions
{
    /// <summary>How long dispatched and rolled-back rows are kept before the retention job deletes them.</summary>
    /// <value>The default is 1 day.</value>
    [LongerThanZero]
    public TimeSpan KeepFinishedFor { get; set; } = OutboxDefaults.KeepFinishedFor;

    /// <summary>
    /// How long dead letters are kept before the retention job deletes them. Dead letters wait for a person,
    /// so they are kept until requeued or purged unless this is set.
    /// </summary>
    /// <value>The default is <see langword="null"/>: kept.</value>
    public TimeSpan? KeepDeadLettersFor { get; set; }

    /// <summary>How often the retention job runs.</summary>
    /// <value>The default is 1 hour.</value>
    [LongerThanZero]
    public TimeSpan Interval { get; set; } = OutboxDefaults.RetentionInterval;

    /// <summary>Rows deleted per statement.</summary>
    /// <value>The default is 1000.</value>
    [SettingRange(1, 100_000)]
    public int BatchSize { get; set; } = OutboxDefaults.RetentionBatchSize;
}
