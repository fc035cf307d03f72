using Outbox.Telemetry;

namespace Outbox.Consumers;

/// <summary>
/// Pauses a consumer's handling while its database does not answer: after a delivery failed on the
/// database, deliveries wait here, unsettled and without an attempt counted, and one of them at a time,
/// every <c>retryEvery</c>, in turn, tries the database. The first that gets through opens the gate for all.
/// Taking them in turn means a delivery that fails for a reason of its own cannot keep the others waiting.
/// </summary>
internal sealed class StoreGate(OutageLog outage, TimeProvider timeProvider, TimeSpan retryEvery) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiting = new();
    private ITimer? _turns;

    /// <summary>Returns at once while the database answers; during an outage, when it is this delivery's turn to try.</summary>
    public Task EnterAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_turns is null)
            {
                return Task.CompletedTask;
            }

            var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(turn);
            return turn.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>A delivery failed on the database: the gate closes (one warning), or stays closed (debug).</summary>
    public void Failed(Exception error)
    {
        lock (_gate)
        {
            _turns ??= timeProvider.CreateTimer(_ => NextTurn(), null, retryEvery, retryEvery);
        }

        outage.Failed(error, retryEvery);
    }

    /// <summary>A delivery got through: the gate opens for every waiting delivery (one line, if it was closed).</summary>
    public void Answered()
    {
        if (!outage.IsDown)
        {
            return;
        }

        lock (_gate)
        {
            _turns?.Dispose();
            _turns = null;
            while (_waiting.TryDequeue(out var turn))
            {
                turn.TrySetResult();
            }
        }

        outage.Answered();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _turns?.Dispose();
            _turns = null;
        }
    }

    private void NextTurn()
    {
        lock (_gate)
        {
            while (_waiting.TryDequeue(out var turn))
            {
                if (turn.TrySetResult())
                {
                    return;
                }
            }
        }
    }
}
