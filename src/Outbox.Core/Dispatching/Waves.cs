using Outbox.Storage;

namespace Outbox.Dispatching;

/// <summary>
/// Splits rows into waves so that a wave holds at most one row per key, in id order: the first wave has
/// every keyless row and the first row of each key, the second the second row of each key, and so on.
/// A transport may send a wave concurrently without breaking per-key order.
/// </summary>
internal static class Waves
{
    public static List<List<StoredMessage>> Plan(IEnumerable<StoredMessage> rows)
    {
        var waves = new List<List<StoredMessage>>();
        var depthByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows.OrderBy(r => r.Id))
        {
            var depth = 0;
            if (row.Key is { } key)
            {
                depth = depthByKey.GetValueOrDefault(key);
                depthByKey[key] = depth + 1;
            }

            if (waves.Count == depth)
            {
                waves.Add([]);
            }

            waves[depth].Add(row);
        }

        return waves;
    }
}
