using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Outbox.Dispatching;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.EntityFrameworkCore.Storage;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.EntityFrameworkCore.Interception;

/// <summary>
/// Follows the outbox rows of each context through SaveChanges and the transaction, and hands them to
/// the dispatcher once their transaction has committed. A rolled-back transaction hands over nothing.
/// </summary>
/// <remarks>
/// A commit EF Core does not see (a transaction passed to <c>UseTransaction</c> and committed on the
/// ADO.NET object) hands over nothing either: the rows are sent by the recovery job after
/// <c>CheckAfter</c>, once their lease has run out.
/// </remarks>
internal sealed class OutboxInterceptor(DispatchSignal signal, IEnumerable<ContextDialect> dialects) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, ContextState> _contexts = [];
    private readonly ConcurrentDictionary<Type, StoreDialect?> _dialects = new();

    public void Track(DbContext context, StoredMessage message, OutboxRecord row)
    {
        var state = _contexts.GetOrCreateValue(context);
        state.Messages.Add(new PublishedMessage(message, row, InTransaction(context) ? state.Generation : null));
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        OnSaving(eventData.Context);
        if (ToNumber(eventData.Context) is { Count: > 0 } numbered)
        {
            BeginIfNeeded(eventData.Context!, () => eventData.Context!.Database.BeginTransaction());
            SequenceStamper.Stamp(eventData.Context!, DialectOf(eventData.Context!), numbered);
        }

        return result;
    }

    public async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        OnSaving(eventData.Context);
        if (ToNumber(eventData.Context) is { Count: > 0 } numbered)
        {
            if (NeedsTransaction(eventData.Context!))
            {
                _contexts.GetOrCreateValue(eventData.Context!).Owned = await eventData.Context!.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            }

            await SequenceStamper.StampAsync(eventData.Context!, DialectOf(eventData.Context!), numbered, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        OnSaved(eventData.Context);
        if (TakeOwned(eventData.Context) is { } owned)
        {
            using (owned)
            {
                owned.Commit();
            }
        }

        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        OnSaved(eventData.Context);
        if (TakeOwned(eventData.Context) is { } owned)
        {
            await using (owned.ConfigureAwait(false))
            {
                await owned.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        OnSaveFailed(eventData.Context);
        if (TakeOwned(eventData.Context) is { } owned)
        {
            using (owned)
            {
                owned.Rollback(); // gives the numbers back
            }
        }
    }

    public async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        OnSaveFailed(eventData.Context);
        if (TakeOwned(eventData.Context) is { } owned)
        {
            await using (owned.ConfigureAwait(false))
            {
                await owned.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        OnTransactionBegun(eventData.Context);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        OnTransactionBegun(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public DbTransaction TransactionUsed(DbConnection connection, TransactionEventData eventData, DbTransaction result)
    {
        OnTransactionBegun(eventData.Context);
        return result;
    }

    public ValueTask<DbTransaction> TransactionUsedAsync(DbConnection connection, TransactionEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        OnTransactionBegun(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => OnCommitted(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        OnCommitted(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    // A failed commit may or may not have committed: nothing is sent from memory, and the recovery job
    // sends the rows if they turn out to be there.
    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Discard(eventData.Context);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    private static bool InTransaction(DbContext context) => context.Database.CurrentTransaction is not null;

    // The messages this SaveChanges writes that the outbox marked to be numbered; numbered again if an earlier
    // SaveChanges of them failed, since its numbers were given back.
    private List<PublishedMessage>? ToNumber(DbContext? context) =>
        context is not null && _contexts.TryGetValue(context, out var state)
            ? state.Messages.Where(m => m.Saving && m.Message.Sequenced).ToList()
            : null;

    // A number must be taken in the transaction that saves its message. Without one of the application's,
    // the outbox begins one for this SaveChanges and ends it with it.
    private static bool NeedsTransaction(DbContext context)
    {
        if (InTransaction(context) || System.Transactions.Transaction.Current is not null)
        {
            return false;
        }

        if (context.Database.CreateExecutionStrategy().RetriesOnFailure)
        {
            throw new OutboxException(
                "Numbered messages (a route with Sequenced) take their numbers in a transaction, and this context's execution strategy retries on failure, "
                + "which allows no transaction begun outside it: save in strategy.ExecuteAsync(…) around BeginTransactionAsync, SaveChangesAsync and CommitAsync.");
        }

        return true;
    }

    private void BeginIfNeeded(DbContext context, Func<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> begin)
    {
        if (NeedsTransaction(context))
        {
            _contexts.GetOrCreateValue(context).Owned = begin();
        }
    }

    private Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? TakeOwned(DbContext? context)
    {
        if (context is null || !_contexts.TryGetValue(context, out var state) || state.Owned is not { } owned)
        {
            return null;
        }

        state.Owned = null;
        return owned;
    }

    private void OnTransactionBegun(DbContext? context)
    {
        if (context is null || !_contexts.TryGetValue(context, out var state))
        {
            return;
        }

        // A context has one transaction at a time: rows of an earlier one that EF Core did not see end
        // (disposed without commit, or committed outside EF Core) are no longer this context's business.
        Forget(context, state, state.Messages.Where(m => m.Transaction is not null).ToList());
        state.Generation++;
    }

    private void OnSaving(DbContext? context)
    {
        if (context is null || !_contexts.TryGetValue(context, out var state))
        {
            return;
        }

        if (!InTransaction(context))
        {
            Forget(context, state, state.Messages.Where(m => m.Transaction is not null).ToList());
        }

        foreach (var message in state.Messages)
        {
            message.Saving = !message.Saved;
        }
    }

    private void OnSaved(DbContext? context)
    {
        if (context is null || !_contexts.TryGetValue(context, out var state))
        {
            return;
        }

        var inTransaction = InTransaction(context);
        foreach (var message in state.Messages.Where(m => m.Saving))
        {
            message.Saving = false;
            message.Saved = true;
            message.Transaction = inTransaction ? state.Generation : null;
        }

        if (inTransaction)
        {
            return;
        }

        var saved = state.Messages.Where(m => m.Saved && m.Transaction is null).ToList();
        if (System.Transactions.Transaction.Current is { } ambient)
        {
            // A TransactionScope: the rows are not committed until the scope completes.
            Forget(context, state, saved);
            ambient.TransactionCompleted += (_, e) =>
            {
                if (e.Transaction?.TransactionInformation.Status == System.Transactions.TransactionStatus.Committed)
                {
                    HandOver(saved);
                }
            };
            return;
        }

        Complete(context, state, saved);
    }

    private void OnSaveFailed(DbContext? context)
    {
        if (context is not null && _contexts.TryGetValue(context, out var state))
        {
            foreach (var message in state.Messages)
            {
                message.Saving = false;
            }
        }
    }

    private void OnCommitted(DbContext? context)
    {
        if (context is null || !_contexts.TryGetValue(context, out var state))
        {
            return;
        }

        Complete(context, state, state.Messages.Where(m => m.Saved && m.Transaction == state.Generation).ToList());

        // Published in the transaction but never saved: it now belongs to no transaction, like any unsaved entity.
        foreach (var message in state.Messages.Where(m => m.Transaction == state.Generation))
        {
            message.Transaction = null;
        }
    }

    private void Discard(DbContext? context)
    {
        if (context is not null && _contexts.TryGetValue(context, out var state))
        {
            Forget(context, state, state.Messages.Where(m => m.Transaction == state.Generation).ToList());
        }
    }

    private void Complete(DbContext context, ContextState state, List<PublishedMessage> committed)
    {
        if (committed.Count == 0)
        {
            return;
        }

        Forget(context, state, committed);
        HandOver(committed);
    }

    // The ids are the database's, known since SaveChanges.
    private void HandOver(List<PublishedMessage> committed) =>
        signal.Committed(committed.ConvertAll(m => m.Message with { Id = m.Row.Id }));

    private static void Forget(DbContext context, ContextState state, List<PublishedMessage> forget)
    {
        foreach (var message in forget)
        {
            context.Entry(message.Row).State = EntityState.Detached;
        }

        state.Messages.RemoveAll(forget.Contains);
    }

    // Numbers are taken with the SQL of the database UseEntityFrameworkCore named for the context.
    private StoreDialect DialectOf(DbContext context) =>
        _dialects.GetOrAdd(context.GetType(), type => ContextDialect.Find(dialects, type))
        ?? throw new OutboxException($"{context.GetType().Name} saves numbered outbox messages, but no database was named for it: register it with UseEntityFrameworkCore<{context.GetType().Name}>(database => ...).");
}
