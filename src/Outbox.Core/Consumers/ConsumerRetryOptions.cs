using Outbox.Configuration;

namespace Outbox;

/// <summary>The Polly retry around a handler (<c>Outbox:Consumers:Retry</c>).</summary>
public sealed class ConsumerRetryOptions
{
    /// <summary>In-process retries of a failing handler.</summary>
    /// <value>The default is 3. Zero turns them off.</value>
    public int MaxRetryAttempts { get; set; } = OutboxDefaults.RetryAttempts;

    /// <summary>The first retry delay; exponential, with jitter.</summary>
    /// <value>The default is 200 milliseconds.</value>
    public TimeSpan Delay { get; set; } = OutboxDefaults.RetryDelay;

    /// <summary>The longest retry delay.</summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = OutboxDefaults.RetryMaxDelay;
}
