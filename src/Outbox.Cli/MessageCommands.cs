using Outbox.Storage;

namespace Outbox.Cli;

/// <summary><c>dotnet outbox messages list|show</c>.</summary>
internal static class MessageCommands
{
    public static async Task ListAsync(OutboxDatabase database, MessageFilter filter, int take, bool json, CancellationToken cancellationToken)
    {
        var messages = await database.Monitor.ListMessagesAsync(filter, 0, take, cancellationToken);
        if (json)
        {
            Output.WriteJson(messages.Select(Summary));
            return;
        }

        Output.Table(
            ["message id", "published (UTC)", "state", "destination", "type", "key", "attempts", "last error"],
            [.. messages.Select(m => new[]
            {
                m.MessageId.ToString(), Output.Time(m.CreatedAt), State(m), m.Destination, m.MessageType, m.Key ?? "", Output.Count(m.Attempts), Output.Shorten(m.LastError),
            })]);
        Console.WriteLine($"{messages.Count} message(s)");
    }

    public static async Task ShowAsync(OutboxDatabase database, Guid messageId, bool json, CancellationToken cancellationToken)
    {
        var message = await database.Monitor.FindMessageAsync(messageId, cancellationToken)
            ?? throw new NotFoundException($"The outbox has no message {messageId}: it was never written, or it was sent and deleted after Outbox:Retention:KeepFinishedFor.");
        if (json)
        {
            Output.WriteJson(new { Message = Summary(message), message.Headers, Payload = Output.Payload(message.Body) });
            return;
        }

        Output.Fields(
            [
                ("message id", message.MessageId.ToString()),
                ("state", State(message)),
                ("destination", message.Destination),
                ("type", message.MessageType),
                ("key", message.Key),
                ("published (UTC)", Output.Time(message.CreatedAt)),
                ("due (UTC)", Output.Time(message.DueAt)),
                ("sent (UTC)", Output.Time(message.DispatchedAt)),
                ("attempts", Output.Count(message.Attempts)),
                ("checks", Output.Count(message.CheckCount)),
                ("last error", message.LastError),
            ],
            message.Headers,
            message.Body);
    }

    /// <summary>The state in the words the status command uses.</summary>
    public static string State(StoredMessage message) => (message.Status, message.Kind) switch
    {
        (MessageStatus.Prepared, MessageKind.Transactional) => "half",
        (MessageStatus.Prepared, _) => "being sent",
        (MessageStatus.Pending, _) => "pending",
        (MessageStatus.Dispatched, _) => "sent",
        _ => "rolled back",
    };

    private static object Summary(StoredMessage m) => new
    {
        m.MessageId,
        State = State(m),
        m.Destination,
        m.MessageType,
        m.Key,
        CreatedAt = Output.Time(m.CreatedAt),
        DueAt = Output.Time(m.DueAt),
        DispatchedAt = Output.Time(m.DispatchedAt),
        m.Attempts,
        m.CheckCount,
        m.LastError,
    };
}
