namespace Outbox.Storage;

/// <summary>
/// Adds published messages to the application's unit of work, so that they are written in its transaction
/// (for Entity Framework Core: the scope's <c>DbContext</c>, whose next <c>SaveChanges</c> writes them).
/// A store registers it as a scoped service; <see cref="IOutbox.PublishAsync"/> calls it.
/// </summary>
/// <remarks>
/// Once the transaction that wrote messages commits, the store passes them, with their ids, to
/// <see cref="Dispatching.DispatchSignal.Committed"/>: the dispatcher sends those it holds at once. A
/// rolled-back transaction passes nothing.
/// </remarks>
public interface IOutboxWriter
{
    /// <summary>Adds <paramref name="message"/> to the unit of work, as given.</summary>
    /// <exception cref="OutboxException">The unit of work cannot hold outbox messages (the store is not set up).</exception>
    void Add(StoredMessage message);
}
