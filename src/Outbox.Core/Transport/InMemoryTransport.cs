using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Outbox.Transport;

/// <summary>
/// A transport that keeps messages in the process: for the demo, tests and local development. It
/// records every message it accepted, in order, and hands them to subscribers of their destination
/// and to consumers reading it.
/// </summary>
public sealed class InMemoryTransport(IOptions<InMemoryTransportOptions> options, TimeProvider timeProvider) : ITransport, IMessageReceiver
{
    /// <summary>The name it is registered under: <c>Outbox:Transport</c> = <c>InMemory</c> chooses it.</summary>
    public const string TransportName = "InMemory";

    private readonly Lock _gate = new();
    private readonly List<TransportMessage> _sent = [];
    private readonly Dictionary<string, List<Channel<TransportMessage>>> _subscribers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InMemoryConsumerQueue> _consumers = new(StringComparer.Ordinal);

    /// <summary>Creates a transport with default options.</summary>
    public InMemoryTransport()
        : this(Options.Create(new InMemoryTransportOptions()), TimeProvider.System)
    {
    }

    /// <summary>Creates a transport with the given options on the system clock.</summary>
    public InMemoryTransport(IOptions<InMemoryTransportOptions> options)
        : this(options, TimeProvider.System)
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

    /// <summary>Whether anyone subscribed to or reads <paramref name="destination"/>.</summary>
    public bool HasSubscribers(string destination)
    {
        lock (_gate)
        {
            return _subscribers.ContainsKey(destination) || _consumers.Values.Any(c => c.Source == destination);
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

    /// <summary>Creates the consumer's queue, which keeps what is sent to <paramref name="source"/> from now on, read or not.</summary>
    public ValueTask DeclareAsync(string source, string consumer, CancellationToken cancellationToken)
    {
        QueueOf(source, consumer);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<IDelivery> ReceiveAsync(string source, string consumer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var queue = QueueOf(source, consumer);
        var reading = new InMemoryReading(queue, timeProvider);
        try
        {
            while (true)
            {
                var delivery = await reading.NextAsync(cancellationToken).ConfigureAwait(false);
                yield return delivery;
            }
        }
        finally
        {
            reading.Close(); // what was handed out and not settled is delivered again, first
        }
    }

    private InMemoryConsumerQueue QueueOf(string source, string consumer)
    {
        lock (_gate)
        {
            if (!_consumers.TryGetValue(consumer, out var queue))
            {
                _consumers[consumer] = queue = new InMemoryConsumerQueue(source);
            }

            return queue;
        }
    }

    /// <summary>A key's messages in a batch are delivered in order; after one is not sent, the key's later ones are not either.</summary>
    public bool KeepsKeyOrderInBatch => true;

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var results = new SendResult[batch.Count];
        HashSet<string>? failedKeys = null;
        lock (_gate)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var message = batch[i];
                if (message.Key is { } key && failedKeys?.Contains(key) == true)
                {
                    results[i] = SendResult.Failed($"not sent: an earlier message with key '{key}' in this batch was not sent");
                    continue;
                }

                if (Deliver(message) == 0 && options.Value.Mandatory)
                {
                    results[i] = SendResult.Unroutable(message.TargetConsumer is { } consumer
                        ? $"no consumer '{consumer}' reads '{message.Destination}'"
                        : $"no subscriber for '{message.Destination}'");
                    if (message.Key is { } failed)
                    {
                        (failedKeys ??= new(StringComparer.Ordinal)).Add(failed);
                    }

                    continue;
                }

                _sent.Add(message);
                results[i] = SendResult.Sent;
            }
        }

        return ValueTask.FromResult<IReadOnlyList<SendResult>>(results);
    }

    // Hands the message to everyone who reads its destination and returns how many did. A message for one
    // consumer only goes to that consumer's queue, not to the destination's other readers.
    private int Deliver(TransportMessage message)
    {
        if (message.TargetConsumer is { } consumer)
        {
            if (!_consumers.TryGetValue(consumer, out var own) || own.Source != message.Destination)
            {
                return 0;
            }

            own.Enqueue(message);
            return 1;
        }

        var delivered = 0;
        foreach (var channel in _subscribers.GetValueOrDefault(message.Destination) ?? [])
        {
            channel.Writer.TryWrite(message);
            delivered++;
        }

        foreach (var queue in _consumers.Values)
        {
            if (queue.Source == message.Destination)
            {
                queue.Enqueue(message);
                delivered++;
            }
        }

        return delivered;
    }
}
