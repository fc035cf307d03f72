namespace Outbox.Cli;

/// <summary><c>dotnet outbox sequence-gaps</c>.</summary>
internal static class SequenceCommands
{
    public static async Task ListGapsAsync(OutboxDatabase database, string? consumer, bool json, CancellationToken cancellationToken)
    {
        var gaps = await database.Monitor.ListSequenceGapsAsync(consumer, cancellationToken);
        if (json)
        {
            Output.WriteJson(gaps.Select(g => new { g.Consumer, g.Source, g.Key, g.FirstMissing, g.LastMissing, DetectedAt = Output.Time(g.DetectedAt) }));
            return;
        }

        Output.Table(
            ["consumer", "source", "key", "missing", "found (UTC)"],
            [.. gaps.Select(g => new[]
            {
                g.Consumer, g.Source, g.Key, g.FirstMissing == g.LastMissing ? $"{g.FirstMissing}" : $"{g.FirstMissing}–{g.LastMissing}", Output.Time(g.DetectedAt),
            })]);
        var missing = gaps.Sum(g => g.LastMissing - g.FirstMissing + 1);
        Console.WriteLine(missing == 0 ? "nothing is missing" : $"{missing} message(s) missing in {gaps.Count} gap(s)");
    }
}
