using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outbox;
using Outbox.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.EntityFrameworkCore.Interception;
using Outbox.EntityFrameworkCore.Storage;

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
    /// <exception cref="InvalidOperationException">The outbox has a store already.</exception>
    public static IOutboxBuilder UseEntityFrameworkCore<TContext>(this IOutboxBuilder builder, Action<EntityFrameworkCoreStoreBuilder> database)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(database);
        var store = new EntityFrameworkCoreStoreBuilder();
        database(store);
        var dialect = store.Dialect ?? throw new ArgumentException(
            $"UseEntityFrameworkCore<{typeof(TContext).Name}> needs the context's database: database => database.UsePostgreSql() or database.UseSqlite().", nameof(database));
        #region register-store
        builder.UseStore(sp => ActivatorUtilities.CreateInstance<EntityFrameworkStore<TContext>>(sp));
        #endregion
        var services = builder.Services;
        services.AddSingleton(new ContextDialect(typeof(TContext), dialect));
        services.TryAddSingleton<OutboxInterceptor>();
        services.TryAddSingleton<ContextRunner<TContext>>();
        return builder;
    }
}
