using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Inbox;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.EntityFrameworkCore.Storage;

internal sealed class EntityFrameworkOutboxStore<TContext>(ContextRunner<TContext> runner) : IOutboxStore
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

    public Task<IReadOnlyList<OutboxRecord>> ClaimAsync(string owner, DateTime now, DateTime leaseUntil, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync<IReadOnlyList<OutboxRecord>>(async context =>
        {
            _claimSql ??= ClaimSql.For(context);
            return await context.Set<OutboxRecord>()
                .FromSqlRaw(_claimSql, owner, leaseUntil, now, batchSize)
                .AsNoTracking()
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
        });

    public Task<IReadOnlyDictionary<string, long>> GetOldestUnsentIdsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        runner.RunAsync<IReadOnlyDictionary<string, long>>(async context =>
            await Unsent(context)
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
                var error = Truncate(failure.Error);
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

    public Task<int> DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTime now, CancellationToken cancellationToken, string? onlyIfPreparedFor = null) =>
        runner.RunInTransactionAsync(
            async context =>
            {
                var moved = 0;
                if (onlyIfPreparedFor is null)
                {
                    var ids = requests.Select(r => r.Record.Id).ToList();
                    moved = await context.Set<OutboxRecord>().Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    context.Set<DeadLetterRecord>().AddRange(requests.Select(r => DeadLetter(r, now)));
                    return moved;
                }

                // Only rows nobody decided meanwhile: a commit or rollback from the application wins.
                foreach (var request in requests)
                {
                    var id = request.Record.Id;
                    if (await context.Set<OutboxRecord>()
                            .Where(r => r.Id == id && r.Status == MessageStatus.Prepared && r.LeaseOwner == onlyIfPreparedFor)
                            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 1)
                    {
                        context.Set<DeadLetterRecord>().Add(DeadLetter(request, now));
                        moved++;
                    }
                }

                return moved;
            },
            cancellationToken);

    public Task<DateTime?> GetNextDueAsync(DateTime now, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<OutboxRecord>()
            .Where(r => r.Status == MessageStatus.Pending && r.NextAttemptAt > now)
            .MinAsync(r => (DateTime?)r.NextAttemptAt, cancellationToken));

    public Task<DateTime?> GetOldestUnsentAsync(CancellationToken cancellationToken) =>
        runner.RunAsync(context => Unsent(context).MinAsync(r => (DateTime?)r.CreatedAt, cancellationToken));

    public Task<int> RecoverStalePreparedAsync(DateTime now, DateTime preparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<OutboxRecord>()
            .Where(r => r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Outbox && r.CreatedAt <= preparedBefore
                && (r.LeaseExpiresAt == null || r.LeaseExpiresAt <= now) && !checkedTypes.Contains(r.MessageType))
            .OrderBy(r => r.Id)
            .Take(batchSize)
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                cancellationToken));

    public Task<int> DeleteFinishedAsync(DateTime before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<OutboxRecord>()
            .Where(r => (r.Status == MessageStatus.Dispatched && r.DispatchedAt < before)
                || (r.Status == MessageStatus.RolledBack && r.CreatedAt < before))
            .OrderBy(r => r.Id)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken));

    public Task InsertAsync(OutboxRecord record, CancellationToken cancellationToken) =>
        runner.RunAsync(async context =>
        {
            context.Set<OutboxRecord>().Add(record);
            return await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        });

    public Task<(bool Applied, MessageStatus? Current)> DecideAsync(Guid messageId, bool commit, DateTime now, CancellationToken cancellationToken) =>
        runner.RunAsync(async context =>
        {
            var half = context.Set<OutboxRecord>()
                .Where(r => r.MessageId == messageId && r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Transactional);
            var applied = commit
                ? await half.ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                        .SetProperty(r => r.NextAttemptAt, r => r.DueAt > now ? r.DueAt : now)
                        .SetProperty(r => r.LeaseOwner, (string?)null)
                        .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                    cancellationToken).ConfigureAwait(false)
                : await half.ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.Status, MessageStatus.RolledBack)
                        .SetProperty(r => r.LeaseOwner, (string?)null)
                        .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                    cancellationToken).ConfigureAwait(false);
            if (applied == 1)
            {
                return (true, (MessageStatus?)(commit ? MessageStatus.Pending : MessageStatus.RolledBack));
            }

            var current = await context.Set<OutboxRecord>()
                .Where(r => r.MessageId == messageId)
                .Select(r => (MessageStatus?)r.Status)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            return (false, current);
        });

    // Optimistic lease: candidates are read, then leased by a conditional update that only one
    // instance can win per row; what this claim leased is read back by its lease expiry.
    public Task<IReadOnlyList<OutboxRecord>> ClaimChecksAsync(
        string owner, DateTime now, DateTime leaseUntil, DateTime outboxPreparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync<IReadOnlyList<OutboxRecord>>(async context =>
        {
            var due = context.Set<OutboxRecord>().Where(r =>
                r.Status == MessageStatus.Prepared && r.NextAttemptAt <= now
                && (r.LeaseExpiresAt == null || r.LeaseExpiresAt <= now)
                && (r.Kind == MessageKind.Transactional || (checkedTypes.Contains(r.MessageType) && r.CreatedAt <= outboxPreparedBefore)));
            var candidates = await due.OrderBy(r => r.NextAttemptAt).ThenBy(r => r.Id).Select(r => r.Id).Take(batchSize)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (candidates.Count == 0)
            {
                return [];
            }

            await due.Where(r => candidates.Contains(r.Id)).ExecuteUpdateAsync(
                s => s.SetProperty(r => r.LeaseOwner, owner).SetProperty(r => r.LeaseExpiresAt, leaseUntil),
                cancellationToken).ConfigureAwait(false);
            return await context.Set<OutboxRecord>().AsNoTracking()
                .Where(r => candidates.Contains(r.Id) && r.LeaseOwner == owner && r.LeaseExpiresAt == leaseUntil)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        });

    public Task<int> ApplyCheckAsync(
        IReadOnlyCollection<long> ids, string owner, MessageStatus? decided, DateTime now, DateTime nextCheckAt, string? error, CancellationToken cancellationToken) =>
        runner.RunAsync(context =>
        {
            var mine = context.Set<OutboxRecord>()
                .Where(r => ids.Contains(r.Id) && r.Status == MessageStatus.Prepared && r.LeaseOwner == owner);
            var lastError = Truncate(error);
            return decided switch
            {
                MessageStatus.Pending => mine.ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                        .SetProperty(r => r.CheckCount, r => r.CheckCount + 1)
                        .SetProperty(r => r.NextAttemptAt, r => r.DueAt > now ? r.DueAt : now)
                        .SetProperty(r => r.LeaseOwner, (string?)null)
                        .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                    cancellationToken),
                MessageStatus.RolledBack => mine.ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.Status, MessageStatus.RolledBack)
                        .SetProperty(r => r.CheckCount, r => r.CheckCount + 1)
                        .SetProperty(r => r.LeaseOwner, (string?)null)
                        .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                    cancellationToken),
                _ => mine.ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.CheckCount, r => r.CheckCount + 1)
                        .SetProperty(r => r.NextAttemptAt, nextCheckAt)
                        .SetProperty(r => r.LastError, lastError)
                        .SetProperty(r => r.LeaseOwner, (string?)null)
                        .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                    cancellationToken),
            };
        });

    public Task DeadLetterDeliveryAsync(TransportMessage message, string consumer, string reason, int attempts, string? error, DateTime now, CancellationToken cancellationToken) =>
        runner.RunAsync(async context =>
        {
            context.Set<DeadLetterRecord>().Add(new DeadLetterRecord
            {
                MessageId = message.MessageId,
                Destination = message.Destination,
                MessageType = message.MessageType,
                MessageKey = message.Key,
                Payload = message.Body.ToArray(),
                Headers = message.Headers.Count == 0 ? null : JsonSerializer.Serialize(message.Headers),
                Source = DeadLetterSources.Consumer,
                ConsumerName = consumer,
                Reason = reason,
                Attempts = attempts,
                LastError = Truncate(error),
                CreatedAt = message.CreatedAt.UtcDateTime,
                DeadLetteredAt = now,
            });
            return await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        });

    public Task<int> DeleteInboxAsync(DateTime before, int batchSize, CancellationToken cancellationToken) =>
        runner.RunAsync(context => context.Set<InboxRecord>()
            .Where(i => i.ReceivedAt < before)
            .OrderBy(i => i.ReceivedAt)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken));

    private static DeadLetterRecord DeadLetter(DeadLetterRequest request, DateTime now) => new()
    {
        MessageId = request.Record.MessageId,
        Destination = request.Record.Destination,
        MessageType = request.Record.MessageType,
        MessageKey = request.Record.MessageKey,
        Payload = request.Record.Payload,
        Headers = request.Record.Headers,
        Source = request.Source,
        Reason = request.Reason,
        Attempts = request.Attempts,
        LastError = Truncate(request.LastError),
        CreatedAt = request.Record.CreatedAt,
        DeadLetteredAt = now,
    };

    private static IQueryable<OutboxRecord> Unsent(TContext context) => context.Set<OutboxRecord>()
        .Where(r => r.Status == MessageStatus.Pending || (r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Outbox));

    private static string? Truncate(string? error) =>
        error is { Length: > ModelBuilderExtensions.ErrorLength } ? error[..ModelBuilderExtensions.ErrorLength] : error;
}
