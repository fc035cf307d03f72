using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Storage;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Dialects;

/// <summary>
/// The SQL that differs between databases, one subclass per database: claiming due rows, inserting an inbox row
/// unless it is there, taking a key's next sequence number, and deleting a batch of old rows. The stores build
/// everything else with EF Core. Tables come delimited; parameters are EF Core's <c>{0}</c> placeholders unless
/// a member says otherwise.
/// </summary>
internal abstract class StoreDialect
{
    private readonly ConcurrentDictionary<(string Table, bool Hold), string> _claims = new();

    /// <summary>Rows not sent yet: pending, or prepared (written in a transaction that may commit, or a half message).</summary>
    public static readonly string Unsent = $"status < {(int)MessageStatus.Dispatched}";

    /// <summary>The database, as its users name it.</summary>
    public abstract string Database { get; }

    /// <summary>How <c>UseEntityFrameworkCore</c> names this database, for messages: <c>UsePostgreSql()</c>.</summary>
    public abstract string Choice { get; }

    /// <summary>The oldest version the outbox runs on.</summary>
    public abstract Version MinimumVersion { get; }

    /// <summary>A query of one text value that only this database answers, with its version.</summary>
    public abstract string VersionQuery { get; }

    /// <summary>
    /// Whether claimed rows can be held by the claim's own transaction (row locks that other claims skip), so that
    /// nothing is written to a row before its outcome.
    /// </summary>
    public virtual bool HoldsClaims => false;

    /// <summary>Whether the context's commands go through <see cref="MySqlCommandRewriter"/> on this database.</summary>
    public virtual bool RewritesCommands => false;

    /// <summary>Whether a SaveChanges of inserts only, in one batch, may go without EF Core's transaction (the database runs a batch as one).</summary>
    public virtual bool RunsInsertBatchAsTransaction => false;

    /// <summary>
    /// The version in <see cref="VersionQuery"/>'s answer, or <see langword="null"/> when the answer is not this
    /// database's; by default the number it starts with (PostgreSQL's '15.10 (Debian 15.10-0+deb12u1)', SQLite's '3.46.1').
    /// </summary>
    public virtual Version? ParseVersion(string answer) => LeadingVersion(answer);

    /// <summary>
    /// Which database answered <see cref="VersionQuery"/> with <paramref name="answer"/>, and the oldest version of
    /// it the outbox runs on: by default <see cref="Database"/> and <see cref="MinimumVersion"/>.
    /// </summary>
    public virtual (string Database, Version Minimum) Flavour(string answer) => (Database, MinimumVersion);

    /// <summary>
    /// Leases a batch of due rows to <paramref name="owner"/> until <paramref name="leaseUntil"/> and returns them,
    /// as <see cref="Claim"/> describes; by default with its statement, outside any transaction.
    /// </summary>
    public virtual Task<List<OutboxRecord>> LeaseAsync(DbContext context, string owner, DateTime now, DateTime leaseUntil, int batchSize, CancellationToken cancellationToken) =>
        context.Set<OutboxRecord>()
            .FromSqlRaw(ClaimOf(context, hold: false), owner, leaseUntil, now, batchSize)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

    /// <summary>
    /// For a held claim: a statement that ends the current transaction when it stays idle for longer than
    /// {0} milliseconds, as a lease would run out.
    /// </summary>
    public virtual string IdleTimeout => throw new NotSupportedException($"{Database} does not hold claims.");

    /// <summary>
    /// Claims a batch of due rows keeping per-key order; parameters {0} owner, {1} lease until, {2} now, {3} batch
    /// size. With <paramref name="hold"/>, returns the rows locked instead of leasing them.
    /// </summary>
    public abstract string Claim(string table, bool hold);

    /// <summary><see cref="Claim"/> for <paramref name="context"/>'s outbox table, built once per table.</summary>
    public string ClaimOf(DbContext context, bool hold) =>
        _claims.GetOrAdd((Tables.Of<OutboxRecord>(context), hold), key => Claim(key.Table, key.Hold));

    /// <summary>Inserts an inbox row unless the message is there for the consumer, as 0 rows affected rather than an error; {0}, {1}, {2} fill <paramref name="columns"/>.</summary>
    public abstract string InsertIfAbsent(string table, string columns);

    /// <summary>
    /// Takes the next sequence number of <c>@destination</c> and <c>@key</c>, locking their row until the
    /// transaction ends, and returns it.
    /// </summary>
    public abstract string NextSequence(string table);

    /// <summary>
    /// Deletes up to {1} rows matching <paramref name="condition"/> (with {0}), in <paramref name="order"/>,
    /// leaving rows another transaction holds to it where the database can.
    /// </summary>
    public abstract string DeleteBatch(string table, string condition, string order);

    /// <summary>
    /// The claim as one statement of common table expressions, for databases that have them with
    /// <c>MATERIALIZED</c> and <c>RETURNING</c>:
    /// <list type="number">
    /// <item>lock a window of due, unleased candidates (with <paramref name="locking"/>);</item>
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
    /// </summary>
    protected static string ClaimWithCommonTables(string table, string locking, bool hold)
    {
        var unsent = UnsentRow("e.");
        var claimable = Claimable("{2}");

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

    /// <summary>A row a claim may take at <paramref name="now"/> (a placeholder): pending, due, and not leased.</summary>
    protected static string Claimable(string now) =>
        $"status = {(int)MessageStatus.Pending} AND next_attempt_at <= {now} AND (lease_expires_at IS NULL OR lease_expires_at <= {now})";

    /// <summary>
    /// A row that holds its key back until it is sent: unsent and pending, or prepared by the interceptor (in
    /// flight, or not yet recovered). <paramref name="alias"/> qualifies the columns (<c>e.</c>).
    /// </summary>
    protected static string UnsentRow(string alias = "") =>
        $"{alias}{Unsent} AND ({alias}status = {(int)MessageStatus.Pending} OR {alias}kind = {(int)MessageKind.Outbox})";

    /// <summary>An upsert that takes the next number and returns it, for databases with <c>ON CONFLICT</c> and <c>RETURNING</c>.</summary>
    protected static string UpsertReturningSequence(string table) =>
        $"INSERT INTO {table} AS c (destination, message_key, last_sequence) VALUES (@destination, @key, 1) "
        + "ON CONFLICT (destination, message_key) DO UPDATE SET last_sequence = c.last_sequence + 1 RETURNING last_sequence";

    /// <summary>The leading <c>major[.minor[.patch]]</c> of <paramref name="text"/>, if it starts with one.</summary>
    protected static Version? LeadingVersion(string text)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        var number = text[..end].TrimEnd('.');
        return Version.TryParse(number.Contains('.', StringComparison.Ordinal) ? number : number + ".0", out var version) ? version : null;
    }
}
