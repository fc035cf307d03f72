namespace Outbox.Configuration;

/// <summary>
/// The Polly pipeline around each transport send (<c>Outbox:Dispatch:Retry</c>): retry with exponential
/// backoff and jitter, a time limit per send, and a circuit breaker while the broker is down.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>In-process retries of a failed send before the row is given back with a later attempt time.</summary>
    /// <value>The default is 3. Zero turns in-process retries off.</value>
    public int MaxRetryAttempts { get; set; } = OutboxDefaults.RetryAttempts;

    /// <summary>The first retry delay; later ones double, with jitter.</summary>
    /// <value>The default is 200 milliseconds.</value>
    public TimeSpan Delay { get; set; } = OutboxDefaults.RetryDelay;

    /// <summary>The longest retry delay.</summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = OutboxDefaults.RetryMaxDelay;

    /// <summary>The time limit of one send to the transport.</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan Timeout { get; set; } = OutboxDefaults.SendTimeout;

    /// <summary>The share of failed sends, within <see cref="SamplingDuration"/>, that opens the circuit.</summary>
    /// <value>The default is 0.5.</value>
    public double FailureRatio { get; set; } = OutboxDefaults.FailureRatio;

    /// <summary>Sends within <see cref="SamplingDuration"/> before the circuit may open.</summary>
    /// <value>The default is 10.</value>
    public int MinimumThroughput { get; set; } = OutboxDefaults.MinimumThroughput;

    /// <summary>The window over which the failure ratio is measured.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan SamplingDuration { get; set; } = OutboxDefaults.SamplingDuration;

    /// <summary>How long the circuit stays open; no send is tried and rows stay pending meanwhile.</summary>
    /// <value>The default is 15 seconds.</value>
    public TimeSpan BreakDuration { get; set; } = OutboxDefaults.BreakDuration;
}
