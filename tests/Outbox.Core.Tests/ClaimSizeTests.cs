using Outbox.Dispatching;

namespace Outbox.Tests;

public sealed class ClaimSizeTests
{
    [Fact]
    public void FullClaims_DoubleTheNextOne_UpToTheMost_AndAShortOneGoesBackToTheStart()
    {
        var size = new ClaimSize(1000);
        var sizes = new List<int>();
        for (var claim = 0; claim < 6; claim++)
        {
            sizes.Add(size.Next);
            Assert.True(size.Claimed(size.Next));
        }

        Assert.Equal([100, 200, 400, 800, 1000, 1000], sizes);
        Assert.False(size.Claimed(999));
        Assert.Equal(100, size.Next);
    }

    [Fact]
    public void AShortClaimWhileAnotherBatchIsSent_KeepsTheSize_AsAHotKeysNextRunWaitsForIt()
    {
        var size = new ClaimSize(1000);
        size.Claimed(100);
        size.Claimed(200);

        Assert.False(size.Claimed(0, othersInFlight: true));
        Assert.Equal(400, size.Next);
        Assert.False(size.Claimed(3, othersInFlight: false));
        Assert.Equal(100, size.Next);
    }

    [Fact]
    public void AMostBelowTheStart_IsNeverExceeded()
    {
        var size = new ClaimSize(30);

        Assert.Equal(30, size.Next);
        Assert.True(size.Claimed(30));
        Assert.Equal(30, size.Next);
    }
}
