using Microsoft.EntityFrameworkCore;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>The dispatcher's work on the outbox table, through the application's <c>DbContext</c>.</summary>
internal sealed class EntityFrameworkDispatchStore<TContext>(ContextRunner<TContext> runner) : IDispatchStore
    where TContext : DbContext
{
    private string? _claimSql;

    public Task ValidateAsync(CancellationToken cancellationToken) => runner.RunAsync(context =>
    {
        var name = typeof(TContext).Name;
        if (context.Model.FindEntityType(typeof(OutboxRecord)) is null)
        {
            throw new InvalidOperationException($"{name} has no outbox tables: call modelBuilder.AddOutboxTables() in {name}.OnModelCreating.");
        }

        if (!ClaimSql.IsSupported(context.Database.ProviderName))
        {
            throw new InvalidOperationException(
                $"The outbox does not support the database provider '{context.Database.ProviderName}' of {name}; it supports PostgreSQL (Npgsql) and SQLite.");
        }

        // SQLite opens a new, empty, temporary database for every connection without one: the
        // outbox would write rows that nothing ever reads.
        if (string.IsNullOrWhiteSpace(context.Database.GetConnectionString()))
        {
            throw new InvalidOperationException(
                $"{name} has no connection string: pass one to UseSqlite or UseNpgsql in AddDbContext<{name}> (a ConnectionStrings entry that is missing from the configuration reads as null).");
        }

        return Task.FromResult(true);
    });

    public Task<IReadOnlyList<StoredMessage>> ClaimAsync(string owner, DateTime now, DateTime leaseUntil, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync<IReadOnlyList<StoredMessage>>(async context =>
        {
            _claimSql ??= ClaimSql.For(context);
            var rows = await context.Set<OutboxRecord>()
                .FromSqlRaw(_claimSql, owner, leaseUntil, now, batchSize)
                .AsNoTracking()
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            return rows.ConvertAll(r => r.ToMessage());
        });

    public Task<IReadOnlyDictionary<string, long>> GetOldestUnsentIdsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        runner.RunAsync<IReadOnlyDictionary<string, long>>(async context =>
            await StoredRows.Unsent(context)
                .Where(r => keys.Contains(r.MessageKey!))
                .GroupBy(r => r.MessageKey!)
                .Select(g => new { g.Key, Id = g.Min(r => r.Id) })
                .ToDictionaryAsync(g => g.Key, g => g.Id, StringComparer.Ordinal, cancellationToken)
                .ConfigureAwait(false));

    public Task MarkDispatchedAsync(IReadOnlyCollection<long> ids, DateTime now, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<OutboxRecord>()
            .Where(r => ids.Contains(r.Id))
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, MessageStatus.Dispatched)
                    .SetProperty(r => r.DispatchedAt, now)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                cancellationToken));

    public Task MarkFailedAsync(IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken) =>
        runner.RunAsync(async context =>
        {
            foreach (var failure in failures)
            {
                var error = StoredRows.Truncate(failure.Error);
                await context.Set<OutboxRecord>()
                    .Where(r => r.Id == failure.Id && r.Status != MessageStatus.Dispatched)
                    .ExecuteUpdateAsync(
                        s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                            .SetProperty(r => r.Attempts, failure.Attempts)
                            .SetProperty(r => r.NextAttemptAt, failure.NextAttemptAt)
                            .SetProperty(r => r.LastError, error)
                            .SetProperty(r => r.LeaseOwner, (string?)null)
                            .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                        cancellationToken)
                    .ConfigureAwait(false);
            }

            return failures.Count;
        });

    public Task ReleaseAsync(IReadOnlyCollection<long> ids, DateTime nextAttemptAt, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<OutboxRecord>()
            .Where(r => ids.Contains(r.Id) && (r.Status == MessageStatus.Pending || r.Status == MessageStatus.Prepared))
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                    .SetProperty(r => r.NextAttemptAt, nextAttemptAt)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                cancellationToken));

    public Task DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTime now, CancellationToken cancellationToken) =>
        runner.RunInTransactionAsync(
            async context =>
            {
                var ids = requests.Select(r => r.Message.Id).ToList();
                await context.Set<OutboxRecord>().Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                context.Set<DeadLetterRecord>().AddRange(requests.Select(r => StoredRows.DeadLetter(r, now)));
                return ids.Count;
            },
            cancellationToken);

    public Task<DateTime?> GetNextDueAsync(DateTime now, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<OutboxRecord>()
            .Where(r => r.Status == MessageStatus.Pending && r.NextAttemptAt > now)
            .MinAsync(r => (DateTime?)r.NextAttemptAt, cancellationToken));

    public Task<DateTime?> GetOldestUnsentAsync(CancellationToken cancellationToken) =>
        runner.RunAsync(context => StoredRows.Unsent(context).MinAsync(r => (DateTime?)r.CreatedAt, cancellationToken));
}
