using Microsoft.Extensions.Options;
namespace Outbox.Configuration;

/// <summary>The dispatcher that relays committed rows to the transport (<c>Outbox:Dispatch</c>).</summary>
public sealed class DispatchOptions
{
    /// <summary>
    /// The most rows claimed and sent in one batch. The poller claims 100 while there is little to do and
    /// doubles the claim while every claim comes back full (a backlog), up to this; the rows committed on
    /// this instance are sent in batches of up to this as well.
    /// </summary>
    /// <value>The default is 1,000.</value>
    [SettingRange(1, 10_000)]
    public int BatchSize { get; set; } = OutboxDefaults.BatchSize;

    /// <summary>The wait between polls after a poll that found nothing; it doubles while idle.</summary>
    /// <value>The default is 1 second.</value>
    [LongerThanZero]
    public TimeSpan PollInterval { get; set; } = OutboxDefaults.PollInterval;

    /// <summary>The longest wait between polls while idle. Messages written on this instance do not wait for a poll.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan MaxPollInterval { get; set; } = OutboxDefaults.MaxPollInterval;

    /// <summary>
    /// How long a row being sent stays reserved to this instance. It must outlast a send with all its
    /// retries; after a crash, the rows the instance held are sent by another one once it runs out.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    [LongerThanZero]
    public TimeSpan LeaseDuration { get; set; } = OutboxDefaults.LeaseDuration;

    /// <summary>Send attempts (each with its in-process retries) before the message moves to the dead-letter table.</summary>
    /// <value>The default is 10.</value>
    [SettingRange(1, 1_000)]
    public int MaxAttempts { get; set; } = OutboxDefaults.MaxAttempts;

    /// <summary>The wait before the second attempt of a failed row; it doubles for each further attempt.</summary>
    /// <value>The default is 5 seconds.</value>
    [LongerThanZero]
    public TimeSpan AttemptBackoff { get; set; } = OutboxDefaults.AttemptBackoff;

    /// <summary>The longest wait between two attempts of a failed row.</summary>
    /// <value>The default is 5 minutes.</value>
    public TimeSpan MaxAttemptBackoff { get; set; } = OutboxDefaults.MaxAttemptBackoff;

    /// <summary>In-process retries of a failed send, before the row is given back with a later attempt time.</summary>
    [ValidateObjectMembers]
    public RetryOptions Retry { get; } = new();

    /// <summary>The time limit of one send to the transport (each try, not the retries together).</summary>
    /// <value>The default is 5 seconds.</value>
    [SettingRange(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan AttemptTimeout { get; set; } = OutboxDefaults.AttemptTimeout;

    /// <summary>The circuit breaker that stops sending for a while when the broker looks down; checked against Polly's own limits.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; } = new();
}
