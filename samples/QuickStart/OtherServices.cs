using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Outbox;
using Outbox.Serialization;
using Outbox.Telemetry;
using Outbox.Transport;

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
    public ValueTask HandleAsync(TMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        received.Add(message, context);
        return ValueTask.CompletedTask;
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
    public ValueTask HandleAsync(AuditRecorded message, MessageContext context, CancellationToken cancellationToken)
    {
        if (!store.Online)
        {
            throw new InvalidOperationException("the audit store is offline");
        }

        received.Add(message, context);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Delivers a message again, as a broker does after an acknowledgement was lost: step 8.</summary>
public static class Redelivery
{
    /// <summary>Sends what a consumer received to its source again, <paramref name="times"/> times, through the transport in use.</summary>
    public static async Task SendAgainAsync(IServiceProvider services, Delivered delivered, int times)
    {
        var serializer = services.GetRequiredService<IMessageSerializer>();
        var transports = services.GetRequiredService<OutboxTransports>();
        var (message, context) = (delivered.Message, delivered.Context);
        var again = new TransportMessage(
            context.MessageId, context.Source, context.MessageType, context.Key,
            serializer.Serialize(message, message.GetType()), serializer.ContentType, context.Headers, DateTimeOffset.UtcNow);
        await transports.Get(transports.DefaultName).SendAsync([.. Enumerable.Repeat(again, times)], CancellationToken.None);
    }
}

/// <summary>Counts the deliveries the inboxes skipped as duplicates, from the outbox's <c>outbox.messages.duplicates</c> counter: step 8.</summary>
public sealed class DuplicateCount : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public DuplicateCount()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OutboxTelemetry.Name && instrument.Name == "outbox.messages.duplicates")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    /// <summary>Waits until at least <paramref name="count"/> duplicates were skipped (30 s at most); returns how many were.</summary>
    public async Task<long> WaitForAsync(long count)
    {
        for (var i = 0; i < 300 && Interlocked.Read(ref _count) < count; i++)
        {
            await Task.Delay(100);
        }

        return Interlocked.Read(ref _count);
    }

    public void Dispose() => _listener.Dispose();
}
