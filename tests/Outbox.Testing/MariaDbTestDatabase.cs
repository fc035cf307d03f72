using Microsoft.EntityFrameworkCore;
using MySql.Data.MySqlClient;
using Outbox.EntityFrameworkCore;

namespace Outbox.Testing;

/// <summary>
/// A MariaDB database of its own for one test, on the server named by <c>OUTBOX_TEST_MARIADB</c> (default: the
/// local server that <c>eng/test.sh</c> starts).
/// </summary>
public sealed class MariaDbTestDatabase : ITestDatabase
{
    public const string DefaultServer = "Server=127.0.0.1;Port=3306;User ID=outbox;Password=outbox;Database=mysql";

    public MariaDbTestDatabase()
    {
        var server = Environment.GetEnvironmentVariable("OUTBOX_TEST_MARIADB") is { Length: > 0 } configured ? configured : DefaultServer;
        ConnectionString = new MySqlConnectionStringBuilder(server)
        {
            Database = $"outbox_test_{Guid.NewGuid():N}",
            MaximumPoolSize = 50,
        }.ConnectionString;
    }

    public string ConnectionString { get; }

    public void Configure(DbContextOptionsBuilder options) => options.UseMySQL(ConnectionString);

    public void Store(EntityFrameworkCoreStoreBuilder database) => database.UseMySql();

    public Task CreateAsync() => ReachAsync(async () =>
    {
        await using var context = NewContext();
        await context.Database.EnsureCreatedAsync();
    });

    public Task CreateEmptyAsync() => ReachAsync(() => OnServerAsync($"CREATE DATABASE `{Name}`"));

    /// <summary>Runs one statement on its own connection to the database; returns the first column of its first row, if any.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Drops the database; best effort, since a leftover database with a unique name harms nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        MySqlConnection.ClearAllPools();
        try
        {
            await OnServerAsync($"DROP DATABASE IF EXISTS `{Name}`");
        }
        catch (MySqlException)
        {
        }
    }

    private string Name => new MySqlConnectionStringBuilder(ConnectionString).Database;

    private async Task OnServerAsync(string sql)
    {
        var server = new MySqlConnectionStringBuilder(ConnectionString) { Database = "" };
        await using var connection = new MySqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task ReachAsync(Func<Task> create)
    {
        try
        {
            await create();
        }
        catch (MySqlException ex)
        {
            throw new InvalidOperationException(
                $"MariaDB is not reachable ({ex.Message}). Run eng/test.sh, which installs and starts it, " +
                "or point OUTBOX_TEST_MARIADB at a server where the user may create databases.",
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
