namespace Outbox.Configuration;

/// <summary>Thresholds of the outbox's health checks (<c>Outbox:Health</c>), added with <c>AddOutboxHealthChecks</c>.</summary>
public sealed class HealthOptions
{
    /// <summary>How long an unsent message may have been due before the database check reports Degraded.</summary>
    /// <value>The default is 5 minutes.</value>
    [SettingRange(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MaxPendingAge { get; set; } = OutboxDefaults.MaxPendingAge;
}
