using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Inbox;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>
/// The sequence check on the handler's own <typeparamref name="TContext"/>: what it records is saved and
/// committed with the handler's changes and the inbox row, or not at all.
/// </summary>
internal sealed class EntityFrameworkSequenceLedger<TContext>(TContext db) : ISequenceLedger
    where TContext : DbContext
{
    public async Task<SequenceOutcome> RecordAsync(string consumer, string source, string key, long sequence, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = await db.Set<SequenceRecord>().FindAsync([consumer, source, key], cancellationToken).ConfigureAwait(false);
        if (last is null)
        {
            // Where checking starts: a consumer added to a running system sees the numbers from here on.
            db.Add(new SequenceRecord { Consumer = consumer, Source = source, MessageKey = key, LastSequence = sequence, UpdatedAt = now.UtcDateTime });
            return new SequenceOutcome(SequenceVerdict.First, 0);
        }

        var previous = last.LastSequence;
        if (sequence > previous)
        {
            (last.LastSequence, last.UpdatedAt) = (sequence, now.UtcDateTime);
            if (sequence == previous + 1)
            {
                return new SequenceOutcome(SequenceVerdict.Next, previous);
            }

            db.Add(new SequenceGapRecord { Consumer = consumer, Source = source, MessageKey = key, FirstMissing = previous + 1, LastMissing = sequence - 1, DetectedAt = now.UtcDateTime });
            return new SequenceOutcome(SequenceVerdict.Gap, previous, previous + 1, sequence - 1);
        }

        var gap = await db.Set<SequenceGapRecord>()
            .Where(g => g.Consumer == consumer && g.Source == source && g.MessageKey == key && g.FirstMissing <= sequence && g.LastMissing >= sequence)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (gap is null)
        {
            return new SequenceOutcome(SequenceVerdict.OutOfOrder, previous);
        }

        Close(gap, sequence);
        return new SequenceOutcome(SequenceVerdict.Late, previous);
    }

    // The late number leaves its gap: the gap shrinks from an end, splits in two, or is gone.
    private void Close(SequenceGapRecord gap, long sequence)
    {
        if (gap.FirstMissing == gap.LastMissing)
        {
            db.Remove(gap);
        }
        else if (sequence == gap.FirstMissing)
        {
            gap.FirstMissing++;
        }
        else if (sequence == gap.LastMissing)
        {
            gap.LastMissing--;
        }
        else
        {
            db.Add(new SequenceGapRecord
            {
                Consumer = gap.Consumer, Source = gap.Source, MessageKey = gap.MessageKey,
                FirstMissing = sequence + 1, LastMissing = gap.LastMissing, DetectedAt = gap.DetectedAt,
            });
            gap.LastMissing = sequence - 1;
        }
    }
}
