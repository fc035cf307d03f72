using Polly;
using Polly.Retry;

namespace Outbox.Configuration;

/// <summary>
/// In-process retries with exponential backoff and jitter: around each transport send
/// (<c>Outbox:Dispatch:Retry</c>) and around each handler call (<c>Outbox:Consumers:Retry</c>).
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Retries after the first try fails, before the failure is handed on (a later attempt, a redelivery).</summary>
    /// <value>The default is 3. Zero turns in-process retries off.</value>
    [SettingRange(0, 100)]
    public int MaxRetryAttempts { get; set; } = OutboxDefaults.RetryAttempts;

    /// <summary>The first retry delay; later ones double, with jitter.</summary>
    /// <value>The default is 200 milliseconds.</value>
    [LongerThanZero]
    public TimeSpan Delay { get; set; } = OutboxDefaults.RetryDelay;

    /// <summary>The longest retry delay.</summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = OutboxDefaults.RetryMaxDelay;

    /// <summary>Polly's retry strategy with these settings: exponential backoff with jitter, retrying what <paramref name="strategy"/> handles.</summary>
    internal TStrategy ToPolly<TStrategy, TResult>(TStrategy strategy)
        where TStrategy : RetryStrategyOptions<TResult>
    {
        strategy.MaxRetryAttempts = MaxRetryAttempts;
        strategy.Delay = Delay;
        strategy.MaxDelay = MaxDelay;
        strategy.BackoffType = DelayBackoffType.Exponential;
        strategy.UseJitter = true;
        return strategy;
    }
}
