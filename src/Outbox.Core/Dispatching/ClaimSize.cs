namespace Outbox.Dispatching;

/// <summary>
/// How many rows the poller claims next: <see cref="Initial"/> while there is little to do, doubling while
/// every claim comes back full (a backlog) up to <c>Dispatch:BatchSize</c>, and back to the start once a
/// claim finds fewer while no other batch was being sent. (While one is, a short claim says little: the
/// rows of its keys wait for it, and a hot key's next run comes back empty.) Large claims are what make a backlog go fast (a claim and a mark per batch, not
/// per row); small ones keep a quiet relay's sends and marks short.
/// </summary>
internal sealed class ClaimSize(int most)
{
    /// <summary>The claim size of a relay with no backlog.</summary>
    public const int Initial = 100;

    /// <summary>The size of the next claim.</summary>
    public int Next { get; private set; } = Math.Min(Initial, most);

    /// <summary>Records how many rows the last claim, of <see cref="Next"/> rows, returned.</summary>
    /// <param name="count">The rows claimed.</param>
    /// <param name="othersInFlight">Whether another batch was being sent while it claimed.</param>
    /// <returns>Whether the claim came back full, so that more rows are likely due now.</returns>
    public bool Claimed(int count, bool othersInFlight = false)
    {
        var full = count >= Next;
        if (full)
        {
            Next = Math.Min(Next * 2, most);
        }
        else if (!othersInFlight)
        {
            Next = Math.Min(Initial, most);
        }

        return full;
    }
}
