namespace Outbox.Dispatching;

/// <summary>
/// How many rows the poller claims next: <see cref="Initial"/> while there is little to do, doubling while
/// every claim comes back full (a backlog) up to <c>Dispatch:BatchSize</c>, and back to the start once a
/// claim finds fewer. Large claims are what make a backlog go fast (a claim and a mark per batch, not
/// per row); small ones keep a quiet relay's sends and marks short.
/// </summary>
internal sealed class ClaimSize(int most)
{
    /// <summary>The claim size of a relay with no backlog.</summary>
    public const int Initial = 100;

    /// <summary>The size of the next claim.</summary>
    public int Next { get; private set; } = Math.Min(Initial, most);

    /// <summary>Records how many rows the last claim, of <see cref="Next"/> rows, returned.</summary>
    /// <returns>Whether the claim came back full, so that more rows are likely due now.</returns>
    public bool Claimed(int count)
    {
        var full = count >= Next;
        Next = full ? Math.Min(Next * 2, most) : Math.Min(Initial, most);
        return full;
    }
}
