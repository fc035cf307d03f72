namespace Outbox.EntityFrameworkCore.Dialects;

/// <summary>SQLite 3.35 or later (<c>RETURNING</c>). One writer at a time: nothing to skip, nothing held.</summary>
internal sealed class SqliteDialect : StoreDialect
{
    public static readonly SqliteDialect Instance = new();

    public override string Database => "SQLite";

    public override string Choice => "UseSqlite()";

    public override Version MinimumVersion { get; } = new(3, 35);

    public override string VersionQuery => "SELECT sqlite_version()";

    public override string Claim(string table, bool hold) =>
        hold ? throw new NotSupportedException("SQLite does not hold claims.") : ClaimWithCommonTables(table, "", hold: false);

    public override string InsertIfAbsent(string table, string columns) =>
        $"INSERT OR IGNORE INTO {table} ({columns}) VALUES ({{0}}, {{1}}, {{2}})";

    public override string NextSequence(string table) => UpsertReturningSequence(table);

    public override string DeleteBatch(string table, string condition, string order) =>
        $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {condition} ORDER BY {order} LIMIT {{1}})";
}
