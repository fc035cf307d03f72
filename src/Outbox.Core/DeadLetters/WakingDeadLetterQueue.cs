using Microsoft.Extensions.Logging;
using Outbox.Dispatching;
using Outbox.Telemetry;

namespace Outbox.DeadLetters;

/// <summary>A store's dead letters, where a requeue wakes the dispatcher for the rows it made due, and is logged.</summary>
internal sealed class WakingDeadLetterQueue(IDeadLetterQueue queue, DispatchSignal signal, ILogger logger) : IDeadLetterQueue
{
    public Task<IReadOnlyList<DeadLetter>> ListAsync(DeadLetterFilter? filter = null, int skip = 0, int take = 100, CancellationToken cancellationToken = default) =>
        queue.ListAsync(filter, skip, take, cancellationToken);

    public async Task<bool> RequeueAsync(Guid messageId, CancellationToken cancellationToken = default) =>
        Requeued(await queue.RequeueAsync(messageId, cancellationToken).ConfigureAwait(false) ? 1 : 0) > 0;

    public async Task<int> RequeueAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default) =>
        Requeued(await queue.RequeueAsync(filter, cancellationToken).ConfigureAwait(false));

    public Task<int> PurgeAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default) =>
        queue.PurgeAsync(filter, cancellationToken);

    private int Requeued(int count)
    {
        if (count > 0)
        {
            Log.Requeued(logger, count);
            signal.Wake();
        }

        return count;
    }
}
