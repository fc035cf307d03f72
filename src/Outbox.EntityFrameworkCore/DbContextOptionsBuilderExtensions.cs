using Microsoft.EntityFrameworkCore.Update;
using Microsoft.Extensions.DependencyInjection;
using Outbox;
using Outbox.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.EntityFrameworkCore.Interception;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Connects a <see cref="DbContext"/> to the outbox.</summary>
public static class DbContextOptionsBuilderExtensions
{
    /// <summary>
    /// Adds the outbox interceptors: rows published through <see cref="IOutbox"/> are written by
    /// SaveChanges and handed to the dispatcher when their transaction commits. On PostgreSQL, a SaveChanges
    /// that only inserts and fits in one batch (an order and its message) is sent in one round trip, as one
    /// implicit transaction, instead of in EF Core's transaction, whose <c>COMMIT</c> is a second one.
    /// </summary>
    /// <param name="optionsBuilder">The context's options builder.</param>
    /// <param name="serviceProvider">The provider given to the <c>AddDbContext</c> options callback.</param>
    /// <returns>The options builder.</returns>
    public static DbContextOptionsBuilder UseOutbox(this DbContextOptionsBuilder optionsBuilder, IServiceProvider serviceProvider)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        ArgumentNullException.ThrowIfNull(serviceProvider);
        var interceptor = serviceProvider.GetService<OutboxInterceptor>() ?? throw new InvalidOperationException(
            "UseOutbox needs the outbox services: call services.AddOutbox(configuration).UseEntityFrameworkCore<TContext>(database => ...) first.");
        optionsBuilder.AddInterceptors(interceptor);
        var dialect = ContextDialect.Find(serviceProvider.GetServices<ContextDialect>(), optionsBuilder.Options.ContextType);
        if (dialect is { RewritesCommands: true })
        {
            optionsBuilder.AddInterceptors(MySqlCommandRewriter.Instance);
        }

        return dialect is { RunsInsertBatchAsTransaction: true } ? optionsBuilder.ReplaceService<IBatchExecutor, SingleBatchExecutor>() : optionsBuilder;
    }
}
