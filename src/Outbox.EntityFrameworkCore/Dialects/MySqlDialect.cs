using System.Data;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Storage;

namespace Outbox.EntityFrameworkCore.Dialects;

/// <summary>
/// MariaDB 10.6 or later, and MySQL 8.0.1 or later (<c>FOR UPDATE SKIP LOCKED</c>), through Oracle's provider
/// (<c>UseMySQL</c>). Neither has <c>UPDATE … RETURNING</c>: a claim takes a few statements in a transaction of
/// its own, locking the due rows it looks at and skipping those another claim holds, and leases what it takes.
/// EF Core's <c>ExecuteDelete</c> and the provider's migration lock are written in forms MariaDB refuses: the
/// context's commands get <see cref="MySqlCommandRewriter"/>.
/// </summary>
internal sealed class MySqlDialect : StoreDialect
{
    public static readonly MySqlDialect Instance = new();

    private static readonly Version MariaDbMinimum = new(10, 6);

    public override string Database => "MariaDB or MySQL";

    public override string Choice => "UseMySql()";

    public override Version MinimumVersion { get; } = new(8, 0, 1);

    public override string VersionQuery => "SELECT VERSION()";

    public override bool RewritesCommands => true;

    // VERSION() is '10.11.19-MariaDB-0+deb12u1' on MariaDB, '8.0.36' on MySQL.
    public override (string Database, Version Minimum) Flavour(string answer) =>
        answer.Contains("MariaDB", StringComparison.OrdinalIgnoreCase) ? ("MariaDB", MariaDbMinimum) : ("MySQL", MinimumVersion);

    public override string Claim(string table, bool hold) => throw new NotSupportedException("MariaDB and MySQL claim in several statements: see LeaseAsync.");

    /// <summary>
    /// The claim of the common-table dialects, in steps, in one read-committed transaction: lock a window of due
    /// rows (skipping those another claim holds); find each key's oldest unsent row, and lock it too when it is
    /// older than the key's first candidate (a key whose oldest row cannot be taken gets nothing); cut each key's
    /// candidates at its first unsent row outside them; lease what is left.
    /// </summary>
    public override Task<List<OutboxRecord>> LeaseAsync(DbContext context, string owner, DateTime now, DateTime leaseUntil, int batchSize, CancellationToken cancellationToken) =>
        context.Database.CreateExecutionStrategy().ExecuteAsync(
            async ct =>
            {
                var table = Tables.Of<OutboxRecord>(context);
                var transaction = await context.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var ids = await ChooseAsync(context, table, now, batchSize, ct).ConfigureAwait(false);
                    if (ids.Count == 0)
                    {
                        return [];
                    }

                    // The ids are the database's own numbers, written out; the values are parameters.
                    var list = string.Join(", ", ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
                    var lease = $"UPDATE {table} SET lease_owner = {{0}}, lease_expires_at = {{1}} WHERE id IN ({list})";
                    await context.Database.ExecuteSqlRawAsync(lease, [owner, leaseUntil], ct).ConfigureAwait(false);
                    var read = $"SELECT * FROM {table} WHERE id IN ({list})";
                    var rows = await context.Set<OutboxRecord>().FromSqlRaw(read).AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    return rows;
                }
            },
            cancellationToken);

    public override string InsertIfAbsent(string table, string columns) =>
        $"INSERT IGNORE INTO {table} ({columns}) VALUES ({{0}}, {{1}}, {{2}})";

    // The upsert locks the row until the transaction ends; the select reads the number it left there.
    public override string NextSequence(string table) =>
        $"INSERT INTO {table} (destination, message_key, last_sequence) VALUES (@destination, @key, 1) "
        + "ON DUPLICATE KEY UPDATE last_sequence = last_sequence + 1; "
        + $"SELECT last_sequence FROM {table} WHERE destination = @destination AND message_key = @key";

    public override string DeleteBatch(string table, string condition, string order) =>
        $"DELETE FROM {table} WHERE {condition} ORDER BY {order} LIMIT {{1}}";

    private static async Task<List<long>> ChooseAsync(DbContext context, string table, DateTime now, int batchSize, CancellationToken cancellationToken)
    {
        var window = await context.Database.SqlQueryRaw<KeyedId>(Window(table), now, batchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        var chosen = window.Where(w => w.MessageKey is null).Select(w => w.Id).ToList();
        var keys = window.Where(w => w.MessageKey is not null).GroupBy(w => w.MessageKey!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(w => w.Id).Order().ToList(), StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return chosen;
        }

        var heads = await OldestUnsentAsync(context, table, keys.Keys, [], cancellationToken).ConfigureAwait(false);
        var behind = keys.Where(k => heads.TryGetValue(k.Key, out var head) && head < k.Value[0]).Select(k => heads[k.Key]).ToList();
        var headsTaken = behind.Count == 0 ? [] : await LockAsync(context, table, behind, now, cancellationToken).ConfigureAwait(false);
        foreach (var (key, ids) in keys.ToList())
        {
            var head = heads.GetValueOrDefault(key, ids[0]);
            if (head < ids[0])
            {
                if (headsTaken.Contains(head))
                {
                    ids.Insert(0, head);
                }
                else
                {
                    keys.Remove(key); // its oldest row goes first, and another claim holds it, or it is not due
                }
            }
        }

        var candidates = keys.Values.SelectMany(ids => ids).ToList();
        var runEnds = await OldestUnsentAsync(context, table, keys.Where(k => k.Value.Count > 1).Select(k => k.Key).ToList(), candidates, cancellationToken).ConfigureAwait(false);
        foreach (var (key, ids) in keys)
        {
            chosen.AddRange(runEnds.TryGetValue(key, out var end) ? ids.Where(id => id < end) : ids);
        }

        return chosen;
    }

    /// <summary>
    /// Locks and returns (as <c>Id</c>, <c>MessageKey</c>) up to {1} due rows at {0}, longest due first, skipping rows
    /// another claim holds. In the order of the index on (status, next_attempt_at, id), MariaDB locks only the rows
    /// it returns; sorted after the scan, it would lock every due row and leave other claims nothing.
    /// </summary>
    internal static string Window(string table) =>
        $"SELECT id AS Id, message_key AS MessageKey FROM {table} WHERE {Claimable("{0}")} ORDER BY next_attempt_at, id LIMIT {{1}} FOR UPDATE SKIP LOCKED";

    // Of the given rows, those still claimable, locked; those another claim holds are skipped.
    private static async Task<HashSet<long>> LockAsync(DbContext context, string table, List<long> ids, DateTime now, CancellationToken cancellationToken)
    {
        var lockRows = $"SELECT id AS Value FROM {table} WHERE id IN ({string.Join(", ", ids)}) AND {Claimable("{0}")} FOR UPDATE SKIP LOCKED";
        return (await context.Database.SqlQueryRaw<long>(lockRows, now).ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
    }

    // Each key's smallest unsent id other than those given.
    private static async Task<Dictionary<string, long>> OldestUnsentAsync(
        DbContext context, string table, IReadOnlyCollection<string> keys, List<long> except, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var placeholders = string.Join(", ", keys.Select((_, i) => $"{{{i}}}"));
        var excluded = except.Count == 0 ? "" : $" AND id NOT IN ({string.Join(", ", except)})";
        var oldest = $"SELECT MIN(id) AS Id, message_key AS MessageKey FROM {table} WHERE message_key IN ({placeholders}) AND {UnsentRow()}{excluded} GROUP BY message_key";
        var rows = await context.Database.SqlQueryRaw<KeyedId>(oldest, [.. keys]).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.MessageKey!, r => r.Id, StringComparer.Ordinal);
    }


    private sealed class KeyedId
    {
        public long Id { get; set; }

        public string? MessageKey { get; set; }
    }
}
