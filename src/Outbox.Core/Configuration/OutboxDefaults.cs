namespace Outbox.Configuration;

/// <summary>The default value of every setting, in one place.</summary>
internal static class OutboxDefaults
{
    /// <summary>Largest serialized message accepted by <see cref="IOutbox.PublishAsync{TMessage}"/>: 1 MiB.</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>
    /// The most rows claimed and sent in one batch: 1,000. The poller starts at 100 and doubles while claims
    /// come back full, so only a backlog reaches it.
    /// </summary>
    public const int BatchSize = 1000;

    /// <summary>Shortest wait between polls when idle: 1 second.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between polls when idle: 10 seconds.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed row stays reserved to the instance sending it: 30 seconds.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    /// <summary>Send attempts before a message moves to the dead-letter table: 10.</summary>
    public const int MaxAttempts = 10;

    /// <summary>Wait before the second attempt of a failed row, doubled for each further attempt: 5 seconds.</summary>
    public static readonly TimeSpan AttemptBackoff = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between two attempts of a failed row: 5 minutes.</summary>
    public static readonly TimeSpan MaxAttemptBackoff = TimeSpan.FromMinutes(5);

    /// <summary>In-process retries of a failed send: 3.</summary>
    public const int RetryAttempts = 3;

    /// <summary>First in-process retry delay (exponential, with jitter): 200 milliseconds.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest in-process retry delay: 2 seconds.</summary>
    public static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(2);

    /// <summary>Time limit of one transport send (<c>Dispatch:AttemptTimeout</c>): 5 seconds.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Share of failed sends that opens the circuit: 0.5.</summary>
    public const double FailureRatio = 0.5;

    /// <summary>Sends in the sampling window before the circuit may open: 10.</summary>
    public const int MinimumThroughput = 10;

    /// <summary>Window over which the failure ratio is measured: 30 seconds.</summary>
    public static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the circuit stays open before a trial send: 1 second, so that sending resumes within about
    /// a second of the broker's return. A trial costs one batch claimed and given back, without an attempt.
    /// </summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(1);

    /// <summary>Age after which a prepared row is resolved by the recovery job: 6 seconds.</summary>
    public static readonly TimeSpan CheckAfter = TimeSpan.FromSeconds(6);

    /// <summary>How often the recovery job runs: 5 seconds.</summary>
    public static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(5);

    /// <summary>Prepared rows resolved per recovery run: 500.</summary>
    public const int CheckBatchSize = 500;

    /// <summary>Wait between two checks of a half message that is still undecided: 30 seconds (RocketMQ 5's value).</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(30);

    /// <summary>Checks of a half message before <c>OnCheckLimit</c> applies: 15.</summary>
    public const int MaxChecks = 15;

    /// <summary>Check callbacks run at the same time by one instance: 8.</summary>
    public const int CheckConcurrency = 8;

    /// <summary>
    /// Messages one consumer handles at the same time: 8. Enough to keep up with the relay on a small machine
    /// (one at a time fell behind at 500 messages/s); a key's messages are still handled one after another.
    /// </summary>
    public const int ConsumerConcurrency = 8;

    /// <summary>Wait before a failed delivery is handled again, doubled for each further delivery: 5 seconds.</summary>
    public static readonly TimeSpan RedeliveryDelay = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between two deliveries of a failing message: 5 minutes.</summary>
    public static readonly TimeSpan MaxRedeliveryDelay = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries of a failing message before it is dead-lettered: 10 (as NServiceBus and MassTransit).</summary>
    public const int MaxDeliveries = 10;

    /// <summary>
    /// The longest a consumer with <c>OnSequenceGap: Hold</c> holds a message for the numbers missing before
    /// it: 30 seconds, long enough for another instance's redelivery, short enough that a lost message does
    /// not stop its key for long.
    /// </summary>
    public static readonly TimeSpan SequenceHoldTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long inbox rows are kept: 7 days (NServiceBus's outbox deduplication window).</summary>
    public static readonly TimeSpan DedupeWindow = TimeSpan.FromDays(7);

    /// <summary>How long dispatched and rolled-back rows are kept: 1 day.</summary>
    public static readonly TimeSpan KeepFinishedFor = TimeSpan.FromDays(1);

    /// <summary>How often the retention job runs: 1 hour.</summary>
    public static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);

    /// <summary>Rows deleted per statement by the retention job: 1000.</summary>
    public const int RetentionBatchSize = 1000;

    /// <summary>How long an unsent message may have been due before the health check says Degraded: 5 minutes.</summary>
    public static readonly TimeSpan MaxPendingAge = TimeSpan.FromMinutes(5);
}
