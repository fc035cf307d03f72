using System.Collections.Concurrent;
using Outbox.Transport;

namespace Outbox.Testing;

/// <summary>A transport whose answers a test decides: per message and attempt, or by throwing.</summary>
public sealed class ScriptedTransport : ITransport
{
    private readonly ConcurrentDictionary<Guid, int> _attempts = new();
    private readonly ConcurrentQueue<TransportMessage> _sent = new();

    /// <summary>Answers each message; the second argument counts this message's attempts from 1. Default: sent.</summary>
    public Func<TransportMessage, int, SendResult> Answer { get; set; } = (_, _) => SendResult.Sent;

    /// <summary>When set, every send throws it, as a transport does when the broker is unreachable.</summary>
    public Exception? Throw { get; set; }

    public int Calls => _calls;

    public IReadOnlyList<TransportMessage> Sent => [.. _sent];

    private int _calls;

    public int AttemptsOf(Guid messageId) => _attempts.GetValueOrDefault(messageId);

    public ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        foreach (var message in batch)
        {
            _attempts.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
        }

        if (Throw is { } error)
        {
            throw error;
        }

        var results = new SendResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            results[i] = Answer(batch[i], _attempts[batch[i].MessageId]);
            if (results[i].Status == SendStatus.Sent)
            {
                _sent.Enqueue(batch[i]);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<SendResult>>(results);
    }
}
