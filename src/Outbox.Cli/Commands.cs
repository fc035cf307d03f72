using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Storage;
using Outbox.Storage;

namespace Outbox.Cli;

/// <summary>Which dead letters a command acts on.</summary>
internal sealed record DeadLetterFilter(string? Reason, string? Consumer)
{
    public IQueryable<DeadLetterRecord> Apply(IQueryable<DeadLetterRecord> rows) => rows
        .Where(d => Reason == null || d.Reason == Reason)
        .Where(d => Consumer == null || d.ConsumerName == Consumer);
}

/// <summary>What each command does and writes: a table for people, or JSON.</summary>
internal static class Commands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static async Task StatusAsync(OutboxDatabase database, bool json, CancellationToken cancellationToken)
    {
        var now = database.Clock.GetUtcNow().UtcDateTime;
        var status = await database.QueryAsync(async db =>
        {
            var messages = db.Set<OutboxRecord>();
            var unsent = StoredRows.Unsent(db);
            var hourAgo = now.AddHours(-1);
            var destinations = await unsent.GroupBy(r => r.Destination)
                .Select(g => new DestinationStatus(g.Key, g.Count(), g.Min(r => r.DueAt)))
                .ToListAsync(cancellationToken);
            return new Status(
                await messages.CountAsync(r => r.Status == MessageStatus.Pending, cancellationToken),
                await messages.CountAsync(r => r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Outbox, cancellationToken),
                await messages.CountAsync(r => r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Transactional, cancellationToken),
                await messages.CountAsync(r => r.Status == MessageStatus.Dispatched && r.DispatchedAt >= hourAgo, cancellationToken),
                await db.Set<DeadLetterRecord>().CountAsync(cancellationToken),
                destinations.Count == 0 ? null : Seconds(now - destinations.Min(d => d.OldestDueAt)),
                [.. destinations.OrderBy(d => d.Destination, StringComparer.Ordinal)]);
        });

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(status, Json));
            return;
        }

        Table(
            ["", "messages"],
            [
                ["pending (waiting to be sent)", Count(status.Pending)],
                ["written, being sent", Count(status.Sending)],
                ["half messages awaiting a decision", Count(status.HalfMessages)],
                ["sent in the last hour", Count(status.SentLastHour)],
                ["dead letters", Count(status.DeadLetters)],
            ]);
        Console.WriteLine(status.OldestDueSeconds is { } waited ? $"the most overdue unsent message has been due for {waited:0} s" : "every message was sent");
        if (status.Destinations.Count > 0)
        {
            Console.WriteLine();
            Table(["destination", "unsent", "oldest due"], [.. status.Destinations.Select(d => new[] { d.Destination, Count(d.Unsent), $"{Seconds(now - d.OldestDueAt):0} s ago" })]);
        }
    }

    public static async Task ListAsync(OutboxDatabase database, DeadLetterFilter filter, bool json, CancellationToken cancellationToken)
    {
        var letters = await database.QueryAsync(db => filter.Apply(db.Set<DeadLetterRecord>().AsNoTracking()).OrderBy(d => d.Id)
            .Select(d => new ListedDeadLetter(d.MessageId, d.DeadLetteredAt, d.Source, d.ConsumerName, d.Reason, d.Attempts, d.Destination, d.MessageType, d.MessageKey, d.LastError))
            .ToListAsync(cancellationToken));
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(letters, Json));
            return;
        }

        Table(
            ["message id", "dead-lettered (UTC)", "by", "reason", "attempts", "destination", "type", "last error"],
            [.. letters.Select(d => new[]
            {
                d.MessageId.ToString(), d.DeadLetteredAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), d.Consumer ?? d.Source, d.Reason,
                Count(d.Attempts), d.Destination, d.MessageType, Shorten(d.LastError),
            })]);
        Console.WriteLine($"{letters.Count} dead letter(s)");
    }

    public static async Task RequeueAsync(OutboxDatabase database, Guid? messageId, DeadLetterFilter filter, bool json, CancellationToken cancellationToken)
    {
        var ids = messageId is { } one
            ? [one]
            : await database.QueryAsync(db => filter.Apply(db.Set<DeadLetterRecord>()).OrderBy(d => d.Id).Select(d => d.MessageId).ToListAsync(cancellationToken));
        var requeued = 0;
        foreach (var id in ids)
        {
            requeued += await database.DeadLetters.RequeueAsync(id, cancellationToken) ? 1 : 0;
        }

        Console.WriteLine(json ? JsonSerializer.Serialize(new { requeued }, Json) : $"requeued {requeued} dead letter(s); the service sends them at its next poll");
    }

    public static async Task PurgeAsync(OutboxDatabase database, TimeSpan olderThan, bool json, CancellationToken cancellationToken)
    {
        var purged = await database.DeadLetters.PurgeAsync(database.Clock.GetUtcNow() - olderThan, cancellationToken);
        Console.WriteLine(json ? JsonSerializer.Serialize(new { purged }, Json) : $"purged {purged} dead letter(s) older than {olderThan}");
    }

    private static void Table(string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static string Count(int count) => count.ToString(CultureInfo.InvariantCulture);

    private static double Seconds(TimeSpan span) => Math.Max(0, Math.Round(span.TotalSeconds, 1));

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 60 ? text : text[..57] + "...";

    private sealed record DestinationStatus(string Destination, int Unsent, DateTime OldestDueAt);

    private sealed record Status(int Pending, int Sending, int HalfMessages, int SentLastHour, int DeadLetters, double? OldestDueSeconds, IReadOnlyList<DestinationStatus> Destinations);

    private sealed record ListedDeadLetter(
        Guid MessageId, DateTime DeadLetteredAt, string Source, string? Consumer, string Reason, int Attempts, string Destination, string MessageType, string? Key, string? LastError);
}
