using Outbox.Dispatching;

namespace Outbox.Tests;

public sealed class DispatchSignalTests
{
    [Fact]
    public async Task Wake_EndsTheWaitArmedBeforeIt()
    {
        var signal = new DispatchSignal();
        var wait = signal.Arm();
        Assert.False(wait.IsCompleted);

        signal.Wake();

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void AWakeBeforeArming_IsForTheLookThatFollowsIt_NotForTheNextWait()
    {
        // The poller arms before it claims: a wake before that is covered by the claim itself.
        var signal = new DispatchSignal();
        signal.Wake();

        Assert.False(signal.Arm().IsCompleted);
    }
}
