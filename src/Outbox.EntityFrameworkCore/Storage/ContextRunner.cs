using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.EntityFrameworkCore.Dialects;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>
/// Runs store operations on a fresh <typeparamref name="TContext"/> of its own scope. The context logs its
/// commands at Debug instead of EF Core's Information: the dispatcher polls, and an idle service would
/// otherwise log each poll's statements. The application's own contexts keep their settings.
/// </summary>
internal sealed class ContextRunner<TContext>(IServiceScopeFactory scopes, IEnumerable<ContextDialect> dialects)
    where TContext : DbContext
{
    /// <summary>The SQL of <typeparamref name="TContext"/>'s database, as <c>UseEntityFrameworkCore</c> named it.</summary>
    public StoreDialect Dialect { get; } = ContextDialect.Find(dialects, typeof(TContext))
        ?? throw new InvalidOperationException($"No database was named for {typeof(TContext).Name}: register it with UseEntityFrameworkCore<{typeof(TContext).Name}>(database => ...).");

    // A context can be given other options only through a constructor that takes them.
    private static readonly bool TakesOptions = typeof(TContext).GetConstructors()
        .Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(DbContextOptions<TContext>)));

    public async Task<T> RunAsync<T>(Func<TContext, Task<T>> operation)
    {
        var (scope, context) = Open();
        await using (scope.ConfigureAwait(false))
        await using (context.ConfigureAwait(false))
        {
            return await operation(context).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="operation"/> in a transaction, retried as a whole by the context's execution strategy.</summary>
    public Task<T> RunInTransactionAsync<T>(Func<TContext, Task<T>> operation, CancellationToken cancellationToken) =>
        RunAsync(context => context.Database.CreateExecutionStrategy().ExecuteAsync(
            async ct =>
            {
                context.ChangeTracker.Clear();
                context.Database.AutoSavepointsEnabled = false; // a failure rolls back the whole transaction
                var transaction = await context.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var result = await operation(context).ConfigureAwait(false);
                    await context.SaveChangesAsync(ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    return result;
                }
            },
            cancellationToken));

    /// <summary>A context of its own scope for the caller to keep, then dispose with the scope.</summary>
    public (AsyncServiceScope Scope, TContext Context) Open()
    {
        var scope = scopes.CreateAsyncScope();
        var context = Create(scope.ServiceProvider);
        context.ChangeTracker.AutoDetectChangesEnabled = false;
        return (scope, context);
    }

    private static TContext Create(IServiceProvider services)
    {
        if (!TakesOptions || services.GetService<DbContextOptions<TContext>>() is not { } options)
        {
            return services.GetRequiredService<TContext>();
        }

        var quiet = new DbContextOptionsBuilder<TContext>(options)
            .ConfigureWarnings(w => w.Log((RelationalEventId.CommandExecuted, LogLevel.Debug)))
            .Options;
        return ActivatorUtilities.CreateInstance<TContext>(services, quiet);
    }
}
