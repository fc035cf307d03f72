using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>
/// Rows locked by the claim's own transaction, on its own context: their outcomes are written in it, and
/// committing it is the only write the relay makes to a row. Disposed without a commit, it rolls back and
/// the rows are free again at once.
/// </summary>
internal sealed class HeldClaim(IReadOnlyList<StoredMessage> messages, AsyncServiceScope scope, DbContext context, IDbContextTransaction transaction) : IDispatchClaim
{
    public IReadOnlyList<StoredMessage> Messages => messages;

    public Task MarkDispatchedAsync(IReadOnlyCollection<long> ids, DateTimeOffset now, CancellationToken cancellationToken) =>
        DispatchMarks.DispatchedAsync(context, ids, now, cancellationToken);

    public Task MarkFailedAsync(IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken) =>
        DispatchMarks.FailedAsync(context, failures, cancellationToken);

    public Task ReleaseAsync(IReadOnlyCollection<long> ids, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        DispatchMarks.ReleasedAsync(context, ids, nextAttemptAt, cancellationToken);

    public async Task DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await DispatchMarks.DeadLetteredAsync(context, requests, now, cancellationToken).ConfigureAwait(false);
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync().ConfigureAwait(false);
        await context.DisposeAsync().ConfigureAwait(false);
        await scope.DisposeAsync().ConfigureAwait(false);
    }
}
