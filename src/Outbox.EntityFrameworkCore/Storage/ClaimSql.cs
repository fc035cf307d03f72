using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>The one statement that differs between databases: leasing a batch of due rows.</summary>
internal static class ClaimSql
{
    private const string PostgreSql = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private const string Sqlite = "Microsoft.EntityFrameworkCore.Sqlite";

    public static bool IsSupported(string? provider) => provider is PostgreSql or Sqlite;

    public static bool IsPostgreSql(DbContext context) => IsPostgreSql(context.Database.ProviderName);

    public static bool IsPostgreSql(string? provider) => provider == PostgreSql;

    /// <summary>
    /// Leases up to a batch of due pending rows, longest due first, keeping per-key order:
    /// <list type="number">
    /// <item>lock a window of due, unleased candidates (<c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL;
    /// SQLite has one writer);</item>
    /// <item>look up each key's oldest unsent row (pending, or prepared by the interceptor: in flight or
    /// not yet recovered). If it is older than the key's first candidate and claimable, it joins the
    /// candidates (a row that failed waits longer than the rows behind it, so without this its key, and a
    /// window full of its followers, would never move again); if it is older and not claimable, the key
    /// is skipped, since that row goes first;</item>
    /// <item>lease each remaining key's candidates up to its first unsent row outside them (looked for
    /// only when the key has several candidates), so a hot key moves a whole run per claim and the relay
    /// sends it in order, one wave per row.</item>
    /// </list>
    /// Another claim, on this instance or another, sees the run's head as unsent until it is dispatched,
    /// so it never claims the rest of the run. Each key costs one index probe, and a second one when it
    /// has several candidates, however long its backlog.
    /// Parameters: {0} owner, {1} lease until, {2} now, {3} batch size.
    /// With <paramref name="hold"/> (PostgreSQL only), the rows are not leased: the statement returns them
    /// locked, and the caller's transaction holds them until it ends.
    /// </summary>
    public static string For(DbContext context, bool hold = false)
    {
        var entity = context.Model.FindEntityType(typeof(OutboxRecord))!;
        var table = context.GetService<ISqlGenerationHelper>().DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
        var locking = IsPostgreSql(context) ? "FOR UPDATE SKIP LOCKED" : "";
        const int pending = (int)MessageStatus.Pending;
        const int outbox = (int)MessageKind.Outbox;
        var unsent = $"e.status < 2 AND (e.status = {pending} OR e.kind = {outbox})";
        var claimable = $"status = {pending} AND next_attempt_at <= {{2}} AND (lease_expires_at IS NULL OR lease_expires_at <= {{2}})";

        // A key's rows are looked up in the unsent-key index, which holds unsent rows only. The key is
        // matched as a range rather than with =, so that the rows come in (key, id) order, which only that
        // index gives: with =, PostgreSQL may walk the primary key in id order instead, filtering every
        // dispatched row of the key on every claim. It does when its statistics date from a time when most
        // rows were unsent (looking up a key with 50,000 dispatched rows then took 24 ms instead of 0.4).
        const string sameKey = "e.message_key >= k.message_key AND e.message_key <= k.message_key";
        return $$"""
            WITH due_window AS MATERIALIZED (
                SELECT id, message_key FROM {{table}}
                WHERE {{claimable}}
                ORDER BY next_attempt_at, id
                LIMIT {3}
                {{locking}}
            ), keys AS MATERIALIZED (
                SELECT k.message_key, k.first_id, k.last_id,
                       (SELECT e.id FROM {{table}} e WHERE {{sameKey}} AND {{unsent}} ORDER BY e.message_key, e.id LIMIT 1) AS head_id
                FROM (SELECT message_key, MIN(id) AS first_id, MAX(id) AS last_id FROM due_window WHERE message_key IS NOT NULL GROUP BY message_key) k
            ), heads AS MATERIALIZED (
                SELECT id, message_key FROM {{table}}
                WHERE id IN (SELECT head_id FROM keys WHERE head_id < first_id)
                  AND {{claimable}}
                {{locking}}
            ), candidates AS MATERIALIZED (
                SELECT id, message_key FROM due_window
                UNION ALL
                SELECT id, message_key FROM heads
            ), runs AS MATERIALIZED (
                SELECT k.message_key,
                       CASE WHEN k.head_id < k.last_id THEN
                           (SELECT e.id FROM {{table}} e
                            WHERE {{sameKey}} AND e.id > k.head_id AND e.id < k.last_id AND {{unsent}}
                              AND e.id NOT IN (SELECT id FROM candidates)
                            ORDER BY e.message_key, e.id LIMIT 1)
                       END AS run_end
                FROM keys k
                WHERE k.head_id = k.first_id OR k.head_id IN (SELECT id FROM heads)
            )
            {{(hold ? $"SELECT * FROM {table}" : $"UPDATE {table} SET lease_owner = {{0}}, lease_expires_at = {{1}}")}}
            WHERE id IN (
                SELECT c.id FROM candidates c WHERE c.message_key IS NULL
                UNION ALL
                SELECT c.id FROM candidates c JOIN runs r ON r.message_key = c.message_key
                WHERE r.run_end IS NULL OR c.id < r.run_end)
            {{(hold ? "" : "RETURNING *")}}
            """;
    }
}
