using System.Collections.Concurrent;

namespace Outbox.Consumers;

/// <summary>
/// When each message a consumer holds for missing sequence numbers was first held, in this process: a
/// message is held until the numbers are handled or the hold timeout has passed since then, and once it
/// has passed the message is not held again.
/// </summary>
internal sealed class SequenceHolds(TimeProvider timeProvider)
{
    private static readonly TimeSpan FirstCheck = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestCheck = TimeSpan.FromSeconds(5);

    // Held messages handled by another instance, or dead-lettered, are never released here: past this many
    // entries, those held for much longer than any timeout are forgotten.
    private const int PruneAbove = 1024;

    private readonly ConcurrentDictionary<(string Consumer, Guid MessageId), DateTimeOffset> _since = new();

    /// <summary>
    /// Whether to hold the message once more and when to look again, or <see langword="null"/> when
    /// <paramref name="timeout"/> has passed since it was first held.
    /// </summary>
    public SequenceHold? Hold(string consumer, Guid messageId, TimeSpan timeout)
    {
        var now = timeProvider.GetUtcNow();
        var first = _since.TryAdd((consumer, messageId), now);
        var held = now - _since.GetValueOrDefault((consumer, messageId), now);
        if (held >= timeout)
        {
            return null;
        }

        if (first && _since.Count > PruneAbove)
        {
            Prune(now - (10 * timeout));
        }

        // Soon at first (another instance is likely handling the missing numbers), then less often.
        var wait = TimeSpan.FromTicks(Math.Clamp(held.Ticks / 2, FirstCheck.Ticks, LongestCheck.Ticks));
        return new SequenceHold(first, wait < timeout - held ? wait : timeout - held);
    }

    /// <summary>Forgets a message that was handled.</summary>
    public void Release(string consumer, Guid messageId) => _since.TryRemove((consumer, messageId), out _);

    private void Prune(DateTimeOffset before)
    {
        foreach (var (held, since) in _since)
        {
            if (since < before)
            {
                _since.TryRemove(held, out _);
            }
        }
    }
}
