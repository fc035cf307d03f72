using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>Runs store operations on a fresh <typeparamref name="TContext"/> of its own scope.</summary>
internal sealed class ContextRunner<TContext>(IServiceScopeFactory scopes)
    where TContext : DbContext
{
    public async Task<T> RunAsync<T>(Func<TContext, Task<T>> operation)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            context.ChangeTracker.AutoDetectChangesEnabled = false;
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
}
