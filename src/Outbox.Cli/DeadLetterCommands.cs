namespace Outbox.Cli;

/// <summary><c>dotnet outbox dead-letters list|show|requeue|purge</c>.</summary>
internal static class DeadLetterCommands
{
    public static async Task ListAsync(OutboxDatabase database, DeadLetterFilter filter, int take, bool json, CancellationToken cancellationToken)
    {
        var letters = await database.DeadLetters.ListAsync(filter, 0, take, cancellationToken);
        if (json)
        {
            Output.WriteJson(letters.Select(Summary));
            return;
        }

        Output.Table(
            ["message id", "dead-lettered (UTC)", "by", "reason", "attempts", "destination", "type", "last error"],
            [.. letters.Select(d => new[]
            {
                d.MessageId.ToString(), Output.Time(d.DeadLetteredAt), d.Consumer ?? d.Source, d.Reason,
                Output.Count(d.Attempts), d.Destination, d.MessageType, Output.Shorten(d.LastError),
            })]);
        Console.WriteLine($"{letters.Count} dead letter(s)");
    }

    public static async Task ShowAsync(OutboxDatabase database, Guid messageId, bool json, CancellationToken cancellationToken)
    {
        var letters = await database.DeadLetters.ListAsync(new DeadLetterFilter { MessageIds = [messageId] }, 0, 100, cancellationToken);
        if (letters.Count == 0)
        {
            throw new NotFoundException($"There is no dead letter of message {messageId}: no such dead letter.");
        }

        if (json)
        {
            Output.WriteJson(letters.Select(d => new { DeadLetter = Summary(d), d.Headers, Payload = Output.Payload(d.Payload) }));
            return;
        }

        foreach (var d in letters)
        {
            Output.Fields(
                [
                    ("message id", d.MessageId.ToString()),
                    ("dead-lettered by", d.Consumer is null ? d.Source : $"{d.Source} {d.Consumer}"),
                    ("reason", d.Reason),
                    ("attempts", Output.Count(d.Attempts)),
                    ("destination", d.Destination),
                    ("type", d.MessageType),
                    ("key", d.Key),
                    ("published (UTC)", Output.Time(d.CreatedAt)),
                    ("dead-lettered (UTC)", Output.Time(d.DeadLetteredAt)),
                    ("last error", d.LastError),
                ],
                d.Headers,
                d.Payload);
        }
    }

    public static async Task RequeueAsync(OutboxDatabase database, DeadLetterFilter filter, bool json, CancellationToken cancellationToken)
    {
        var requeued = await database.DeadLetters.RequeueAsync(filter, cancellationToken);
        if (requeued == 0 && filter.MessageIds is { Count: 1 } ids && ids.First() is var one)
        {
            throw new NotFoundException($"There is no dead letter of message {one}: no such dead letter.");
        }

        if (json)
        {
            Output.WriteJson(new { requeued });
        }
        else
        {
            Console.WriteLine($"requeued {requeued} dead letter(s); the service sends them at its next poll");
        }
    }

    public static async Task PurgeAsync(OutboxDatabase database, DeadLetterFilter filter, bool json, CancellationToken cancellationToken)
    {
        var purged = await database.DeadLetters.PurgeAsync(filter, cancellationToken);
        if (json)
        {
            Output.WriteJson(new { purged });
        }
        else
        {
            Console.WriteLine($"purged {purged} dead letter(s)");
        }
    }

    private static object Summary(DeadLetter d) => new
    {
        d.MessageId,
        d.Source,
        d.Consumer,
        d.Reason,
        d.Attempts,
        d.Destination,
        d.MessageType,
        d.Key,
        CreatedAt = Output.Time(d.CreatedAt),
        DeadLetteredAt = Output.Time(d.DeadLetteredAt),
        d.LastError,
    };
}
