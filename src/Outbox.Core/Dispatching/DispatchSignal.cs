namespace Outbox.Dispatching;

/// <summary>
/// Wakes the dispatcher's poller: rows may be due now (a requeued dead letter, a committed half message,
/// recovered rows). Whatever writes such rows outside a <c>SaveChanges</c> the outbox sees, a store among
/// them, signals it instead of waiting for the next poll.
/// </summary>
public sealed class DispatchSignal
{
    private TaskCompletionSource _next = New();

    /// <summary>Makes the poller look for due rows now; when it is already looking, it looks once more.</summary>
    public void Wake() => Volatile.Read(ref _next).TrySetResult();

    /// <summary>Arms the signal before a look for due rows: the task completes at the first <see cref="Wake"/> after it.</summary>
    internal Task Arm()
    {
        var next = New();
        Volatile.Write(ref _next, next);
        return next.Task;
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
