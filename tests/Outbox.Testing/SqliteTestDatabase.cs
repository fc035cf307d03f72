using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore;

namespace Outbox.Testing;

/// <summary>A SQLite database in a temporary file.</summary>
public sealed class SqliteTestDatabase : ITestDatabase
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"outbox-test-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={_path};Pooling=False";

    public void Configure(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    public void Store(EntityFrameworkCoreStoreBuilder database) => database.UseSqlite();

    public async Task CreateAsync()
    {
        var options = new DbContextOptionsBuilder<ShopContext>();
        Configure(options);
        await using var context = new ShopContext(options.Options);
        await context.Database.EnsureCreatedAsync();
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    /// <summary>Nothing to do: SQLite creates the file on the first connection.</summary>
    public Task CreateEmptyAsync() => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }

        return ValueTask.CompletedTask;
    }
}
