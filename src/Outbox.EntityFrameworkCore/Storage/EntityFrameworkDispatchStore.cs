using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>The dispatcher's work on the outbox table, through the application's <c>DbContext</c>.</summary>
internal sealed class EntityFrameworkDispatchStore<TContext>(ContextRunner<TContext> runner) : IDispatchStore
    where TContext : DbContext
{
    public Task ValidateAsync(CancellationToken cancellationToken) => runner.RunAsync(async context =>
    {
        var name = typeof(TContext).Name;
        Tables.Entity<OutboxRecord>(context);

        // SQLite opens a new, empty, temporary database for every connection without one: the
        // outbox would write rows that nothing ever reads.
        if (string.IsNullOrWhiteSpace(context.Database.GetConnectionString()))
        {
            throw new InvalidOperationException(
                $"{name} has no connection string: pass one to UseNpgsql, UseMySQL or UseSqlite in AddDbContext<{name}> (a ConnectionStrings entry that is missing from the configuration reads as null).");
        }

        await CheckDatabaseAsync(context, name, cancellationToken).ConfigureAwait(false);
        return true;
    });

    // The database named in UseEntityFrameworkCore must be the context's, at a version the dialect's SQL runs
    // on. A database that does not answer, or stops answering while asked, is not checked: the service starts,
    // and the dispatcher reports the outage until it answers.
    private async Task CheckDatabaseAsync(TContext context, string name, CancellationToken cancellationToken)
    {
        try
        {
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException)
        {
            return;
        }

        string? answer;
        try
        {
            await using var query = context.Database.GetDbConnection().CreateCommand();
            query.CommandText = runner.Dialect.VersionQuery;
            answer = Convert.ToString(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DbException ex) when (!Refused(ex))
        {
            return; // the database went away meanwhile: it is not checked
        }
        catch (DbException ex)
        {
            throw new InvalidOperationException(
                $"{name} is registered with UseEntityFrameworkCore<{name}>(database => database.{runner.Dialect.Choice}), but its database does not answer as {runner.Dialect.Database} ({ex.Message}). Name the database the context uses.", ex);
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        var version = answer is null ? null : runner.Dialect.ParseVersion(answer);
        if (version is null)
        {
            throw new InvalidOperationException(
                $"{name} is registered with UseEntityFrameworkCore<{name}>(database => database.{runner.Dialect.Choice}), but its database answered '{answer}' when asked for {runner.Dialect.Database}'s version. Name the database the context uses.");
        }

        var (database, minimum) = runner.Dialect.Flavour(answer!);
        if (version < minimum)
        {
            throw new InvalidOperationException($"{name}'s database is {database} {version}; the outbox needs {database} {minimum} or later.");
        }
    }

    // The version query was refused as one the database does not know (SQLSTATE class 42: syntax error or
    // undefined function), or failed for good on a database without SQLSTATEs (SQLite); not one that failed
    // because the server went away (57P01, 08xxx), which is transient.
    private static bool Refused(DbException ex) =>
        ex.SqlState is { } state ? state.StartsWith("42", StringComparison.Ordinal) : !ex.IsTransient;

    /// <summary>
    /// On PostgreSQL, the claimed rows are held by row locks in a transaction that stays open until their
    /// outcome is recorded: no write until then, and a crashed instance's rows are free as soon as its
    /// connection drops. The transaction ends on its own after the lease's length without a statement
    /// (<c>idle_in_transaction_session_timeout</c>), as a lease would run out. Elsewhere, and under an
    /// execution strategy that retries (which cannot keep a transaction open across the send), rows are leased.
    /// </summary>
    public async Task<IDispatchClaim> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int batchSize, CancellationToken cancellationToken)
    {
        var (scope, context) = runner.Open();
        var held = false;
        try
        {
            if (runner.Dialect.HoldsClaims && !context.Database.CreateExecutionStrategy().RetriesOnFailure)
            {
                var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                var holdFor = ((long)Math.Max(1, (leaseUntil - now).TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.Database.ExecuteSqlRawAsync(runner.Dialect.IdleTimeout, [holdFor], cancellationToken).ConfigureAwait(false);
                var rows = await ReadAsync(context, runner.Dialect.ClaimOf(context, hold: true), owner, leaseUntil.UtcDateTime, now.UtcDateTime, batchSize, cancellationToken).ConfigureAwait(false);
                if (rows.Count > 0)
                {
                    held = true;
                    return new HeldClaim(rows.ConvertAll(m => m with { LeaseOwner = owner, LeaseExpiresAt = leaseUntil }), scope, context, transaction);
                }

                await transaction.DisposeAsync().ConfigureAwait(false);
                return DispatchClaim.Leased([], this);
            }

            var leased = await runner.Dialect.LeaseAsync(context, owner, now.UtcDateTime, leaseUntil.UtcDateTime, batchSize, cancellationToken).ConfigureAwait(false);
            return DispatchClaim.Leased(leased.ConvertAll(r => r.ToMessage()), this);
        }
        finally
        {
            if (!held)
            {
                await context.DisposeAsync().ConfigureAwait(false);
                await scope.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<List<StoredMessage>> ReadAsync(TContext context, string sql, string owner, DateTime leaseUntil, DateTime now, int batchSize, CancellationToken cancellationToken)
    {
        var rows = await context.Set<OutboxRecord>()
            .FromSqlRaw(sql, owner, leaseUntil, now, batchSize)
            .AsNoTracking()
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return rows.ConvertAll(r => r.ToMessage());
    }

    public Task<IReadOnlyDictionary<string, long>> GetOldestUnsentIdsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        runner.RunAsync<IReadOnlyDictionary<string, long>>(async context =>
            await StoredRows.Unsent(context)
                .Where(r => keys.Contains(r.MessageKey!))
                .GroupBy(r => r.MessageKey!)
                .Select(g => new { g.Key, Id = g.Min(r => r.Id) })
                .ToDictionaryAsync(g => g.Key, g => g.Id, StringComparer.Ordinal, cancellationToken)
                .ConfigureAwait(false));

    public Task MarkDispatchedAsync(IReadOnlyCollection<long> ids, DateTimeOffset now, CancellationToken cancellationToken) =>
        runner.RunAsync(context => DispatchMarks.DispatchedAsync(context, ids, now, cancellationToken));

    public Task MarkFailedAsync(IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken) =>
        runner.RunAsync(context => DispatchMarks.FailedAsync(context, failures, cancellationToken));

    public Task ReleaseAsync(IReadOnlyCollection<long> ids, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        runner.RunAsync(context => DispatchMarks.ReleasedAsync(context, ids, nextAttemptAt, cancellationToken));

    public Task DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTimeOffset now, CancellationToken cancellationToken) =>
        runner.RunInTransactionAsync(context => DispatchMarks.DeadLetteredAsync(context, requests, now, cancellationToken), cancellationToken);

    public async Task<DateTimeOffset?> GetNextDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var after = now.UtcDateTime;
        return StoredRows.Utc(await runner.RunAsync(context => context.Set<OutboxRecord>()
            .Where(r => r.Status == MessageStatus.Pending && r.NextAttemptAt > after)
            .MinAsync(r => (DateTime?)r.NextAttemptAt, cancellationToken)).ConfigureAwait(false));
    }

    public async Task<DateTimeOffset?> GetEarliestDueUnsentAsync(CancellationToken cancellationToken) =>
        StoredRows.Utc(await runner.RunAsync(context => StoredRows.Unsent(context).MinAsync(r => (DateTime?)r.DueAt, cancellationToken)).ConfigureAwait(false));
}
