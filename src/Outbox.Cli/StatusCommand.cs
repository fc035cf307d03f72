namespace Outbox.Cli;

/// <summary><c>dotnet outbox status</c>.</summary>
internal static class StatusCommand
{
    public static async Task RunAsync(OutboxDatabase database, bool json, CancellationToken cancellationToken)
    {
        var status = await database.Monitor.GetStatusAsync(cancellationToken);
        var now = status.At;
        var waited = status.OldestDueAt is { } due ? Output.Seconds(now - due) : (double?)null;
        if (json)
        {
            Output.WriteJson(new
            {
                status.Pending,
                status.Sending,
                status.HalfMessages,
                status.SentLastHour,
                status.DeadLetters,
                OldestDueSeconds = waited,
                Destinations = status.Destinations.Select(d => new { d.Destination, d.Unsent, OldestDueSeconds = d.OldestDueAt is { } at ? Output.Seconds(now - at) : (double?)null, d.SentLastHour }),
            });
            return;
        }

        Output.Table(
            ["", "messages"],
            [
                ["pending (waiting to be sent)", Output.Count(status.Pending)],
                ["written, being sent", Output.Count(status.Sending)],
                ["half messages awaiting a decision", Output.Count(status.HalfMessages)],
                ["sent in the last hour", Output.Count(status.SentLastHour)],
                ["dead letters", Output.Count(status.DeadLetters)],
            ]);
        Console.WriteLine(waited is { } seconds ? $"the most overdue unsent message has been due for {seconds:0} s" : "every message was sent");
        if (status.Destinations.Count > 0)
        {
            Console.WriteLine();
            Output.Table(
                ["destination", "unsent", "oldest due", "sent in the last hour"],
                [.. status.Destinations.Select(d => new[]
                {
                    d.Destination, Output.Count(d.Unsent), d.OldestDueAt is { } at ? $"{Output.Seconds(now - at):0} s ago" : "", Output.Count(d.SentLastHour),
                })]);
        }
    }
}
