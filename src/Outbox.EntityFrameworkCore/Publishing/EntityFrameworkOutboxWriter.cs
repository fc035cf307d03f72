using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.EntityFrameworkCore.Interception;
using Outbox.EntityFrameworkCore.Storage;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Publishing;

/// <summary>Adds outbox rows to the scope's <typeparamref name="TContext"/>; its next SaveChanges writes them.</summary>
internal sealed class EntityFrameworkOutboxWriter<TContext>(TContext context, OutboxInterceptor interceptor) : IOutboxWriter
    where TContext : DbContext
{
    public void Add(StoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureConfigured();
        var row = OutboxRecord.From(message);
        context.Set<OutboxRecord>().Add(row);
        interceptor.Track(context, message, row);
    }

    private void EnsureConfigured()
    {
        Tables.Entity<OutboxRecord>(context);
        var interceptors = context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors;
        if (interceptors is null || !interceptors.Contains(interceptor))
        {
            throw new InvalidOperationException(
                $"{typeof(TContext).Name} is not connected to the outbox: register it with AddDbContext<{typeof(TContext).Name}>((sp, options) => options.Use…(…).UseOutbox(sp)).");
        }
    }
}
