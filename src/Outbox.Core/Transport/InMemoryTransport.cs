using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Outbox.Transport;

/// <summary>
/// A transport that keeps messages in the process: for the demo, tests and local development. It
/// records every message it accepted, in order, and hands them to subscribers of their destination.
/// </summary>
public sealed class InMemoryTransport(IOptions<InMemoryTransportOptions> options) : ITransport
{
    private readonly Lock _gate = new();
    private readonly List<TransportMessage> _sent = [];
    private readonly Dictionary<string, List<Channel<TransportMessage>>> _subscribers = new(StringComparer.Ordinal);

    /// <summary>Creates a transport with default options.</summary>
    public InMemoryTransport()
        : this(Options.Create(new InMemoryTransportOptions()))
    {
    }

    /// <summary>Every message accepted so far, in the order it was accepted.</summary>
    public IReadOnlyList<TransportMessage> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>Receives every message sent to <paramref name="destination"/> from now on.</summary>
    /// <param name="destination">The destination to listen to.</param>
    /// <returns>A reader of the messages, in the order they were accepted.</returns>
    public ChannelReader<TransportMessage> Subscribe(string destination)
    {
        var channel = Channel.CreateUnbounded<TransportMessage>();
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(destination, out var list))
            {
                _subscribers[destination] = list = [];
            }

            list.Add(channel);
        }

        return channel.Reader;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var results = new SendResult[batch.Count];
        lock (_gate)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var message = batch[i];
                if (!_subscribers.TryGetValue(message.Destination, out var subscribers) && options.Value.Mandatory)
                {
                    results[i] = SendResult.Unroutable($"no subscriber for '{message.Destination}'");
                    continue;
                }

                _sent.Add(message);
                foreach (var subscriber in subscribers ?? [])
                {
                    subscriber.Writer.TryWrite(message);
                }

                results[i] = SendResult.Sent;
            }
        }

        return ValueTask.FromResult<IReadOnlyList<SendResult>>(results);
    }
}
