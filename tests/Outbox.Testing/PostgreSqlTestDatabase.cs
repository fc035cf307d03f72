using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore;
using Npgsql;

namespace Outbox.Testing;

/// <summary>
/// A PostgreSQL database of its own for one test, on the server named by <c>OUTBOX_TEST_POSTGRES</c>
/// (default: the local server that <c>eng/test.sh</c> starts).
/// </summary>
public sealed class PostgreSqlTestDatabase : ITestDatabase
{
    public const string DefaultServer = "Host=127.0.0.1;Port=5432;Username=outbox;Password=outbox;Database=postgres";

    public PostgreSqlTestDatabase()
    {
        var server = Environment.GetEnvironmentVariable("OUTBOX_TEST_POSTGRES") is { Length: > 0 } configured ? configured : DefaultServer;
        ConnectionString = new NpgsqlConnectionStringBuilder(server)
        {
            Database = $"outbox_test_{Guid.NewGuid():N}",
            MaxPoolSize = 50,
        }.ConnectionString;
    }

    public string ConnectionString { get; }

    public void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    public void Store(EntityFrameworkCoreStoreBuilder database) => database.UsePostgreSql();

    public Task CreateAsync() => ReachAsync(async () =>
    {
        await using var context = NewContext();
        await context.Database.EnsureCreatedAsync();
    });

    public Task CreateEmptyAsync() => ReachAsync(async () =>
    {
        var database = new NpgsqlConnectionStringBuilder(ConnectionString);
        var name = database.Database;
        database.Database = "postgres";
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
    });

    /// <summary>Runs one statement on its own connection to the database; returns the first column of its first row, if any.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Drops the database; best effort, since a leftover database with a unique name harms nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                await using var context = NewContext();
                await context.Database.EnsureDeletedAsync();
                return;
            }
            catch (PostgresException) when (attempt < 3)
            {
                // An autovacuum worker may still be busy in it; it is gone a moment later.
                await Task.Delay(200);
            }
            catch (PostgresException)
            {
                return;
            }
        }
    }

    private static async Task ReachAsync(Func<Task> create)
    {
        try
        {
            await create();
        }
        catch (NpgsqlException ex)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable ({ex.Message}). Run eng/test.sh, which installs and starts it, " +
                "or point OUTBOX_TEST_POSTGRES at a server where the user may create databases.",
                ex);
        }
    }

    private ShopContext NewContext()
    {
        var options = new DbContextOptionsBuilder<ShopContext>();
        Configure(options);
        return new ShopContext(options.Options);
    }
}
