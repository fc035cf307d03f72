using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outbox;
using Outbox.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.EntityFrameworkCore.Interception;
using Outbox.EntityFrameworkCore.Publishing;
using Outbox.EntityFrameworkCore.Storage;
using Outbox.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Stores the outbox with Entity Framework Core.</summary>
public static class EntityFrameworkCoreOutboxBuilderExtensions
{
    /// <summary>
    /// Stores outbox rows in <typeparamref name="TContext"/>'s database and makes <see cref="IOutbox"/> (scoped)
    /// write through the scope's <typeparamref name="TContext"/>. The context must call <c>UseOutbox(sp)</c> on its
    /// options and <c>AddOutboxTables()</c> in its model.
    /// </summary>
    /// <typeparam name="TContext">The application's context that holds the outbox tables.</typeparam>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="database">Names the context's database: <c>database =&gt; database.UsePostgreSql()</c> or <c>UseSqlite()</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="database"/> named no database.</exception>
    public static IOutboxBuilder UseEntityFrameworkCore<TContext>(this IOutboxBuilder builder, Action<EntityFrameworkCoreStoreBuilder> database)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(database);
        var store = new EntityFrameworkCoreStoreBuilder();
        database(store);
        var dialect = store.Dialect ?? throw new ArgumentException(
            $"UseEntityFrameworkCore<{typeof(TContext).Name}> needs the context's database: database => database.UsePostgreSql() or database.UseSqlite().", nameof(database));
        var services = builder.Services;
        services.AddSingleton(new ContextDialect(typeof(TContext), dialect));
        services.TryAddSingleton<OutboxInterceptor>();
        services.TryAddSingleton<ContextRunner<TContext>>();
        #region register-store
        services.TryAddScoped<IOutboxWriter, EntityFrameworkOutboxWriter<TContext>>();
        services.TryAddSingleton<IDispatchStore, EntityFrameworkDispatchStore<TContext>>();
        services.TryAddSingleton<ITransactionalStore, EntityFrameworkTransactionalStore<TContext>>();
        services.TryAddSingleton<IInboxStore, EntityFrameworkInboxStore<TContext>>();
        services.TryAddScoped<ISequenceLedger, EntityFrameworkSequenceLedger<TContext>>();
        services.TryAddSingleton<IRetentionStore, EntityFrameworkRetentionStore<TContext>>();
        services.TryAddSingleton<IDeadLetterQueue, EntityFrameworkDeadLetterQueue<TContext>>();
        services.TryAddSingleton<IOutboxMonitor, EntityFrameworkOutboxMonitor<TContext>>();
        #endregion
        return builder;
    }
}
