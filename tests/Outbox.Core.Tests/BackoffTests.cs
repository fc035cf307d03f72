using Outbox.Dispatching;

namespace Outbox.Tests;

public sealed class BackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(7, 300)]
    [InlineData(50, 300)]
    public void DoublesPerAttempt_UpToTheMaximum(int attempts, double seconds) =>
        Assert.Equal(seconds, Backoff.ForAttempt(attempts, Initial, Max, jitter: 0.5).TotalSeconds, precision: 6);

    [Fact]
    public void Jitter_StaysWithinTwentyPercent()
    {
        Assert.Equal(4, Backoff.ForAttempt(1, Initial, Max, jitter: 0).TotalSeconds, precision: 6);
        Assert.Equal(6, Backoff.ForAttempt(1, Initial, Max, jitter: 1).TotalSeconds, precision: 6);
    }
}
