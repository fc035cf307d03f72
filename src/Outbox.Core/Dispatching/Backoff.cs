namespace Outbox.Dispatching;

/// <summary>The wait before the next attempt of a failed row: exponential, capped, with ±20% jitter.</summary>
internal static class Backoff
{
    public static TimeSpan ForAttempt(int attempts, TimeSpan initial, TimeSpan max, double jitter)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var raw = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(raw * (0.8 + (0.4 * jitter)));
    }
}
