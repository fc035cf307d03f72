namespace Outbox.Kafka.Consuming;

/// <summary>
/// The offsets of one assigned partition that were received and are not finished yet. The committable
/// position is the lowest unfinished offset (or the one after the last received when all are finished),
/// so a failing message never lets a later offset be committed past it. Thread-safe: deliveries finish
/// on handler threads, the poll thread takes what to commit.
/// </summary>
internal sealed class PartitionTracker
{
    private readonly Lock _gate = new();
    private readonly Queue<long> _received = new();
    private readonly HashSet<long> _finished = [];
    private long _position = -1;
    private long _committed = -1;

    /// <summary>Whether the partition was taken away: settling its deliveries changes nothing any more.</summary>
    public bool IsRevoked { get; private set; }

    /// <summary>Received offsets not finished yet.</summary>
    public int Unfinished
    {
        get
        {
            lock (_gate)
            {
                return _received.Count;
            }
        }
    }

    public void Received(long offset)
    {
        lock (_gate)
        {
            _received.Enqueue(offset);
        }
    }

    /// <summary>Marks <paramref name="offset"/> finished; returns whether the committable position moved.</summary>
    public bool Finish(long offset)
    {
        lock (_gate)
        {
            if (IsRevoked || !_finished.Add(offset))
            {
                return false;
            }

            var moved = false;
            while (_received.TryPeek(out var first) && _finished.Remove(first))
            {
                _received.Dequeue();
                _position = first + 1;
                moved = true;
            }

            return moved;
        }
    }

    /// <summary>The position to commit, if it moved since the last commit; <see langword="null"/> otherwise.</summary>
    public long? TakeCommit()
    {
        lock (_gate)
        {
            if (_position <= _committed)
            {
                return null;
            }

            _committed = _position;
            return _position;
        }
    }

    /// <summary>A commit of <paramref name="position"/> failed: the next <see cref="TakeCommit"/> offers it again.</summary>
    public void CommitFailed(long position)
    {
        lock (_gate)
        {
            if (_committed == position)
            {
                _committed = -1;
            }
        }
    }

    public void Revoke()
    {
        lock (_gate)
        {
            IsRevoked = true;
        }
    }
}
