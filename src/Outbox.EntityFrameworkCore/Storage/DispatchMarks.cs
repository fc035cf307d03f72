using Microsoft.EntityFrameworkCore;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>The statements that record dispatch outcomes, run on the store's context or on a claim's, in its transaction.</summary>
internal static class DispatchMarks
{
    public static Task<int> DispatchedAsync(DbContext context, IReadOnlyCollection<long> ids, DateTimeOffset now, CancellationToken cancellationToken) =>
        context.Set<OutboxRecord>()
            .Where(r => ids.Contains(r.Id))
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, MessageStatus.Dispatched)
                    .SetProperty(r => r.DispatchedAt, now.UtcDateTime)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                cancellationToken);

    public static async Task<int> FailedAsync(DbContext context, IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken)
    {
        foreach (var failure in failures)
        {
            var error = StoredRows.Truncate(failure.Error);
            await context.Set<OutboxRecord>()
                .Where(r => r.Id == failure.Id && r.Status != MessageStatus.Dispatched)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                        .SetProperty(r => r.Attempts, failure.Attempts)
                        .SetProperty(r => r.NextAttemptAt, failure.NextAttemptAt.UtcDateTime)
                        .SetProperty(r => r.LastError, error)
                        .SetProperty(r => r.LeaseOwner, (string?)null)
                        .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                    cancellationToken)
                .ConfigureAwait(false);
        }

        return failures.Count;
    }

    public static Task<int> ReleasedAsync(DbContext context, IReadOnlyCollection<long> ids, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        context.Set<OutboxRecord>()
            .Where(r => ids.Contains(r.Id) && (r.Status == MessageStatus.Pending || r.Status == MessageStatus.Prepared))
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, MessageStatus.Pending)
                    .SetProperty(r => r.NextAttemptAt, nextAttemptAt.UtcDateTime)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (DateTime?)null),
                cancellationToken);

    /// <summary>Deletes the messages and adds their dead letters to the context; the caller saves, in the same transaction.</summary>
    public static async Task<int> DeadLetteredAsync(DbContext context, IReadOnlyCollection<DeadLetterRequest> requests, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = requests.Select(r => r.Message.Id).ToList();
        await context.Set<OutboxRecord>().Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        context.Set<DeadLetterRecord>().AddRange(requests.Select(r => StoredRows.DeadLetter(r, now)));
        return ids.Count;
    }
}
