namespace Outbox.EntityFrameworkCore.Dialects;

/// <summary>
/// PostgreSQL 12 or later (<c>MATERIALIZED</c> common tables). Claims are held by row locks that other claims
/// skip (<c>FOR UPDATE SKIP LOCKED</c>), and retention deletes skip rows another instance is deleting.
/// </summary>
internal sealed class PostgreSqlDialect : StoreDialect
{
    public static readonly PostgreSqlDialect Instance = new();

    public override string Database => "PostgreSQL";

    public override string Choice => "UsePostgreSql()";

    public override Version MinimumVersion { get; } = new(12, 0);

    public override string VersionQuery => "SELECT current_setting('server_version')";

    public override bool HoldsClaims => true;

    public override bool RunsInsertBatchAsTransaction => true;

    public override string IdleTimeout => "SELECT set_config('idle_in_transaction_session_timeout', {0}, true)";

    public override string Claim(string table, bool hold) => ClaimWithCommonTables(table, "FOR UPDATE SKIP LOCKED", hold);

    public override string InsertIfAbsent(string table, string columns) =>
        $"INSERT INTO {table} ({columns}) VALUES ({{0}}, {{1}}, {{2}}) ON CONFLICT DO NOTHING";

    public override string NextSequence(string table) => UpsertReturningSequence(table);

    // The rows are found by their physical address, locked, and those another transaction holds are left for it.
    public override string DeleteBatch(string table, string condition, string order) =>
        $"DELETE FROM {table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE {condition} ORDER BY {order} LIMIT {{1}} FOR UPDATE SKIP LOCKED))";
}
