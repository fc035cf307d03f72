using System.Collections.Concurrent;
using System.Threading.Channels;
using Outbox.Consumers;

namespace QuickStart;

/// <summary>
/// The shop's other services, played by this program: consumers that record what they receive, for the
/// steps to print. They read through the configured transport like any consumer, so the walk-through
/// is the same over the in-memory transport and over RabbitMQ.
/// </summary>
public sealed class Received
{
    private readonly ConcurrentDictionary<string, Channel<Delivered>> _bySource = new(StringComparer.Ordinal);

    /// <summary>The messages received from <paramref name="source"/>, in the order they were handled.</summary>
    public ChannelReader<Delivered> From(string source) => Of(source).Reader;

    /// <summary>Records a message a consumer handled.</summary>
    public void Add(object message, MessageContext context) => Of(context.Source).Writer.TryWrite(new Delivered(message, context));

    private Channel<Delivered> Of(string source) => _bySource.GetOrAdd(source, _ => Channel.CreateUnbounded<Delivered>());
}

/// <summary>A message a consumer handled, and how it came.</summary>
public sealed record Delivered(object Message, MessageContext Context)
{
    public override string ToString() => $"{Context.MessageType} on '{Context.Source}' (key {Context.Key ?? "none"}): {Message}";
}

/// <summary>A service that reads <typeparamref name="TMessage"/> and records it.</summary>
public sealed class Recorded<TMessage>(Received received) : IMessageHandler<TMessage>
    where TMessage : notnull
{
    public Task HandleAsync(TMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        received.Add(message, context);
        return Task.CompletedTask;
    }
}

/// <summary>Whether the audit service's store is reachable; step 4 starts with it offline.</summary>
public sealed class AuditStore
{
    public bool Online { get; set; }
}

/// <summary>The audit service: it fails while its store is offline, so its message ends in the dead-letter table.</summary>
public sealed class AuditHandler(AuditStore store, Received received) : IMessageHandler<AuditRecorded>
{
    public Task HandleAsync(AuditRecorded message, MessageContext context, CancellationToken cancellationToken)
    {
        if (!store.Online)
        {
            throw new InvalidOperationException("the audit store is offline");
        }

        received.Add(message, context);
        return Task.CompletedTask;
    }
}
