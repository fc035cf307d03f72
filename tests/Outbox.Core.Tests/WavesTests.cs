using Outbox.Dispatching;
using Outbox.Storage;

namespace Outbox.Tests;

public sealed class WavesTests
{
    [Fact]
    public void EachWave_HoldsAtMostOneRowPerKey_InIdOrder()
    {
        var rows = new[] { Row(5, "a"), Row(1, "a"), Row(2, null), Row(3, "b"), Row(4, "a"), Row(6, null) };

        var waves = Waves.Plan(rows);

        Assert.Equal([[1, 2, 3, 6], [4], [5]], waves.Select(w => w.Select(r => r.Id).ToArray()).ToArray());
    }

    [Fact]
    public void NoRows_NoWaves() => Assert.Empty(Waves.Plan([]));

    private static StoredMessage Row(long id, string? key) => new() { Id = id, Key = key };
}
