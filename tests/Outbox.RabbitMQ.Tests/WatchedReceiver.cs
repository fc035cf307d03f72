using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Outbox.Transport;

namespace Outbox.RabbitMQ.Tests;

/// <summary>Wraps the RabbitMQ receiver to record how each delivery was settled, and can lose the first acknowledgement on its way to the broker.</summary>
internal sealed class WatchedReceiver(IMessageReceiver inner, bool loseFirstAck = false) : IMessageReceiver
{
    private int _lost;
    private int _reads;

    private bool LoseFirstAck { get; } = loseFirstAck;

    public ConcurrentQueue<(Guid MessageId, int Attempt, string Settled)> Settled { get; } = new();

    /// <summary>How many times the consumer host started reading.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public ValueTask DeclareAsync(string source, string consumer, CancellationToken cancellationToken) =>
        inner.DeclareAsync(source, consumer, cancellationToken);

    public async IAsyncEnumerable<IDelivery> ReceiveAsync(string source, string consumer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        await foreach (var delivery in inner.ReceiveAsync(source, consumer, cancellationToken))
        {
            yield return new Watched(delivery, this);
        }
    }

    private sealed class Watched(IDelivery inner, WatchedReceiver owner) : IDelivery
    {
        public TransportMessage Message => inner.Message;

        public int Attempt => inner.Attempt;

        public async ValueTask AcknowledgeAsync(CancellationToken cancellationToken)
        {
            if (owner.LoseFirstAck && Interlocked.Exchange(ref owner._lost, 1) == 0)
            {
                owner.Settled.Enqueue((Message.MessageId, Attempt, "ack lost"));
                return;
            }

            await inner.AcknowledgeAsync(cancellationToken);
            owner.Settled.Enqueue((Message.MessageId, Attempt, "acked"));
        }

        public async ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            await inner.RedeliverAsync(delay, cancellationToken);
            owner.Settled.Enqueue((Message.MessageId, Attempt, "delayed"));
        }
    }
}
