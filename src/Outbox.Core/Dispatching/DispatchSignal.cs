using System.Threading.Channels;
using Outbox.Storage;

namespace Outbox.Dispatching;

/// <summary>
/// Tells the dispatcher about new work. A store calls <see cref="Committed"/> when a transaction that wrote
/// outbox messages commits, and <see cref="Wake"/> when it makes messages due outside such a transaction (a
/// requeued dead letter, a committed half message, recovered messages), instead of leaving them to the
/// next poll.
/// </summary>
public sealed class DispatchSignal
{
    private readonly Channel<StoredMessage> _committed = Channel.CreateUnbounded<StoredMessage>(new UnboundedChannelOptions { SingleReader = true });
    private TaskCompletionSource _next = New();

    /// <summary>Makes the poller look for due messages now; when it is already looking, it looks once more.</summary>
    public void Wake() => Volatile.Read(ref _next).TrySetResult();

    /// <summary>
    /// Hands over messages whose transaction has just committed, with the ids the store gave them. Those
    /// written <see cref="MessageStatus.Prepared"/> and leased to this instance are sent at once; pending
    /// ones (delayed) wake the poller.
    /// </summary>
    /// <param name="messages">The committed messages, as written.</param>
    public void Committed(IReadOnlyCollection<StoredMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Telemetry.OutboxTelemetry.Written.Add(messages.Count);
        var pending = false;
        foreach (var message in messages)
        {
            if (message.Status == MessageStatus.Prepared)
            {
                _committed.Writer.TryWrite(message);
            }
            else
            {
                pending = true;
            }
        }

        if (pending)
        {
            Wake();
        }
    }

    /// <summary>The committed messages handed over and not yet taken by the dispatcher.</summary>
    internal ChannelReader<StoredMessage> CommittedMessages => _committed.Reader;

    /// <summary>Arms the signal before a look for due rows: the task completes at the first <see cref="Wake"/> after it.</summary>
    internal Task Arm()
    {
        var next = New();
        Volatile.Write(ref _next, next);
        return next.Task;
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
