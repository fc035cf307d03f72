using Outbox.Consumers;
using Outbox.Testing;

namespace Outbox.Tests;

public sealed class SequenceHoldsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly Guid _message = Guid.NewGuid();

    [Fact]
    public void AHeldMessage_IsLookedAtSoonThenLessOften_UntilTheTimeoutFromItsFirstHold_ThenNeverHeldAgain()
    {
        var holds = new SequenceHolds(_time);
        var waits = new List<SequenceHold>();
        for (var hold = holds.Hold("payments", _message, Timeout); hold is { } held; hold = holds.Hold("payments", _message, Timeout))
        {
            waits.Add(held);
            _time.Advance(held.CheckAgainAfter);
        }

        Assert.True(waits[0].First);
        Assert.All(waits.Skip(1), w => Assert.False(w.First));
        Assert.Equal([100, 100, 100, 150, 225], waits.Take(5).Select(w => w.CheckAgainAfter.TotalMilliseconds));
        Assert.All(waits, w => Assert.InRange(w.CheckAgainAfter, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5)));
        Assert.Equal(Timeout, waits.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.CheckAgainAfter)); // the last wait ends at the timeout

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(holds.Hold("payments", _message, Timeout)); // a later attempt (after a failure, say) is not held again
    }

    [Fact]
    public void EachConsumerHoldsOnItsOwn_AndAReleasedMessageStartsAfresh()
    {
        var holds = new SequenceHolds(_time);
        holds.Hold("payments", _message, Timeout);
        _time.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(new SequenceHold(First: true, TimeSpan.FromMilliseconds(100)), holds.Hold("audit", _message, Timeout));
        Assert.Equal(new SequenceHold(First: false, TimeSpan.FromSeconds(2)), holds.Hold("payments", _message, Timeout));

        holds.Release("payments", _message);
        Assert.Equal(new SequenceHold(First: true, TimeSpan.FromMilliseconds(100)), holds.Hold("payments", _message, Timeout));
    }
}
