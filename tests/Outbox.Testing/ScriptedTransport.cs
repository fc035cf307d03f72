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

    /// <summary>What <see cref="ITransport.KeepsKeyOrderInBatch"/> says. When set, a key's messages after one that was not sent are not sent either.</summary>
    public bool KeepsKeyOrderInBatch { get; set; }

    public int Calls => _calls;

    /// <summary>The size of each batch, in call order.</summary>
    public IReadOnlyList<int> BatchSizes => [.. _batchSizes];

    private readonly ConcurrentQueue<int> _batchSizes = new();

    public IReadOnlyList<TransportMessage> Sent => [.. _sent];

    private int _calls;

    public int AttemptsOf(Guid messageId) => _attempts.GetValueOrDefault(messageId);

    public ValueTask<IReadOnlyList<SendResult>> SendAsync(IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        _batchSizes.Enqueue(batch.Count);
        foreach (var message in batch)
        {
            _attempts.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
        }

        if (Throw is { } error)
        {
            throw error;
        }

        var results = new SendResult[batch.Count];
        var failedKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            if (KeepsKeyOrderInBatch && batch[i].Key is { } key && failedKeys.Contains(key))
            {
                results[i] = SendResult.Failed("not sent: an earlier message of its key was not");
                continue;
            }

            results[i] = Answer(batch[i], _attempts[batch[i].MessageId]);
            if (results[i].Status != SendStatus.Sent && batch[i].Key is { } failed)
            {
                failedKeys.Add(failed);
            }

            if (results[i].Status == SendStatus.Sent)
            {
                _sent.Enqueue(batch[i]);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<SendResult>>(results);
    }
}
