using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Outbox.EntityFrameworkCore.Interception;
using Outbox.EntityFrameworkCore.Publishing;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>
/// The outbox's tables in <typeparamref name="TContext"/>'s database: every facet works through
/// <see cref="ContextRunner{TContext}"/> (a context of its own per operation, with the database's dialect),
/// except the writer and the sequence ledger, which work in the scope's own context and so its unit of work.
/// </summary>
internal sealed class EntityFrameworkStore<TContext>(
    ContextRunner<TContext> runner,
    OutboxInterceptor interceptor,
    IServiceScopeFactory scopes,
    TimeProvider timeProvider) : IOutboxStore
    where TContext : DbContext
{
    public IDispatchStore Dispatch { get; } = new EntityFrameworkDispatchStore<TContext>(runner);

    public ITransactionalStore Transactions { get; } = new EntityFrameworkTransactionalStore<TContext>(runner);

    public IInboxStore Inbox { get; } = new EntityFrameworkInboxStore<TContext>(runner, scopes, timeProvider);

    public IRetentionStore Retention { get; } = new EntityFrameworkRetentionStore<TContext>(runner);

    public IDeadLetterQueue DeadLetters { get; } = new EntityFrameworkDeadLetterQueue<TContext>(runner, timeProvider);

    public IOutboxMonitor Monitor { get; } = new EntityFrameworkOutboxMonitor<TContext>(runner, timeProvider);

    public IOutboxWriter Writer(IServiceProvider scope) => new EntityFrameworkOutboxWriter<TContext>(scope.GetRequiredService<TContext>(), interceptor);

    public ISequenceLedger Sequences(IServiceProvider scope) => new EntityFrameworkSequenceLedger<TContext>(scope.GetRequiredService<TContext>());
}
