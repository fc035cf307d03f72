using Microsoft.EntityFrameworkCore;
using MySql.Data.MySqlClient;
using Npgsql;
using Outbox.EntityFrameworkCore;

namespace Outbox.Benchmarks;

/// <summary>
/// The database the benchmark runs on: PostgreSQL (every section; OUTBOX_BENCH_POSTGRES) or, with
/// <c>--database MariaDB</c>, MariaDB (the backlog and write-path sections; OUTBOX_BENCH_MARIADB). By default the
/// local servers eng/services.sh starts.
/// </summary>
internal abstract class BenchDatabase
{
    /// <summary>The database's name, for headings and table columns.</summary>
    public abstract string Name { get; }

    /// <summary>The benchmark's own database, dropped and created again by <see cref="BenchEnvironment.ResetAsync"/>.</summary>
    public abstract string ConnectionString { get; }

    public static BenchDatabase Parse(string? name) => name?.ToUpperInvariant() switch
    {
        null or "POSTGRESQL" => new PostgreSqlBench(),
        "MARIADB" => new MariaDbBench(),
        _ => throw new ArgumentException($"--database is '{name}'; it must be PostgreSQL or MariaDB."),
    };

    public abstract void Configure(DbContextOptionsBuilder options);

    public abstract void Store(EntityFrameworkCoreStoreBuilder database);

    public abstract void ClearPools();

    /// <summary>Inserts <paramref name="rows"/> due pending rows over <paramref name="keys"/> keys (none when 0).</summary>
    public abstract Task SeedBacklogAsync(int rows, int keys);

    public abstract Task<string> ServerVersionAsync();

    private sealed class PostgreSqlBench : BenchDatabase
    {
        private readonly string _server = Environment.GetEnvironmentVariable("OUTBOX_BENCH_POSTGRES") is { Length: > 0 } s
            ? s
            : "Host=127.0.0.1;Port=5432;Username=outbox;Password=outbox;Database=postgres";

        public override string Name => "PostgreSQL";

        public override string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = "outbox_bench" }.ConnectionString;

        public override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

        public override void Store(EntityFrameworkCoreStoreBuilder database) => database.UsePostgreSql();

        public override void ClearPools() => NpgsqlConnection.ClearAllPools();

        public override async Task SeedBacklogAsync(int rows, int keys)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO outbox_messages (message_id, destination, message_type, message_key, payload, status, kind, created_at, due_at, next_attempt_at, attempts, check_count)
                SELECT gen_random_uuid(), 'orders.placed', 'OrderPlaced', CASE WHEN @keys > 0 THEN 'k' || (g % @keys) END, convert_to('{"orderId":' || g || ',"customer":"ada","total":10}', 'UTF8'),
                       1, 0, now(), now(), now(), 0, 0
                FROM generate_series(1, @rows) g;
                ANALYZE outbox_messages;
                """,
                connection);
            command.Parameters.AddWithValue("rows", rows);
            command.Parameters.AddWithValue("keys", keys);
            await command.ExecuteNonQueryAsync();
        }

        public override async Task<string> ServerVersionAsync()
        {
            await using var connection = new NpgsqlConnection(_server);
            await connection.OpenAsync();
            return connection.ServerVersion;
        }
    }

    private sealed class MariaDbBench : BenchDatabase
    {
        private readonly string _server = Environment.GetEnvironmentVariable("OUTBOX_BENCH_MARIADB") is { Length: > 0 } s
            ? s
            : "Server=127.0.0.1;Port=3306;User ID=outbox;Password=outbox;Database=mysql";

        public override string Name => "MariaDB";

        public override string ConnectionString => new MySqlConnectionStringBuilder(_server) { Database = "outbox_bench" }.ConnectionString;

        public override void Configure(DbContextOptionsBuilder options) => options.UseMySQL(ConnectionString);

        public override void Store(EntityFrameworkCoreStoreBuilder database) => database.UseMySql();

        public override void ClearPools() => MySqlConnection.ClearAllPools();

        // MariaDB's sequence engine gives seq_1_to_N; the rows' time is UTC, as the outbox writes it.
        public override async Task SeedBacklogAsync(int rows, int keys)
        {
            await using var connection = new MySqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new MySqlCommand(
                $$"""
                INSERT INTO outbox_messages (message_id, destination, message_type, message_key, payload, status, kind, created_at, due_at, next_attempt_at, attempts, check_count)
                SELECT UUID(), 'orders.placed', 'OrderPlaced', CASE WHEN @keys > 0 THEN CONCAT('k', seq % @keys) END, CONCAT('{"orderId":', seq, ',"customer":"ada","total":10}'),
                       1, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 0, 0
                FROM seq_1_to_{{rows}};
                ANALYZE TABLE outbox_messages;
                """,
                connection);
            command.Parameters.AddWithValue("@keys", keys);
            await command.ExecuteNonQueryAsync();
        }

        public override async Task<string> ServerVersionAsync()
        {
            await using var connection = new MySqlConnection(_server);
            await connection.OpenAsync();
            return connection.ServerVersion;
        }
    }
}
