namespace Outbox.Configuration;

/// <summary>
/// The circuit breaker around each transport's sends (<c>Outbox:Dispatch:CircuitBreaker</c>): while the
/// broker looks down, no send is tried and rows stay pending.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>The share of failed sends, within <see cref="SamplingDuration"/>, that opens the circuit.</summary>
    /// <value>The default is 0.5.</value>
    public double FailureRatio { get; set; } = OutboxDefaults.FailureRatio;

    /// <summary>Sends within <see cref="SamplingDuration"/> before the circuit may open.</summary>
    /// <value>The default is 10.</value>
    public int MinimumThroughput { get; set; } = OutboxDefaults.MinimumThroughput;

    /// <summary>The window over which the failure ratio is measured.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan SamplingDuration { get; set; } = OutboxDefaults.SamplingDuration;

    /// <summary>
    /// How long the circuit stays open; no send is tried and rows stay pending meanwhile. Then one send tries
    /// the broker: if it goes, the circuit closes and sending resumes at once; if not, the circuit opens again.
    /// </summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan BreakDuration { get; set; } = OutboxDefaults.BreakDuration;
}
