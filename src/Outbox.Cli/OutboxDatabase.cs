using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.Cli;

/// <summary>A service's outbox tables, reached with its connection string: SQLite when it names a file (<c>Data Source=</c>), PostgreSQL otherwise.</summary>
internal sealed class OutboxDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public OutboxDatabase(string connectionString, string? schema)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(new OutboxSchema(schema));
        services.AddDbContext<OutboxTablesContext>(options => Use(options, connectionString));
        services.AddOutbox(_ => { }).UseEntityFrameworkCore<OutboxTablesContext>(database =>
        {
            if (IsSqlite(connectionString))
            {
                database.UseSqlite();
            }
            else
            {
                database.UsePostgreSql();
            }
        });
        _services = services.BuildServiceProvider();
    }

    public IDeadLetterQueue DeadLetters => _services.GetRequiredService<IDeadLetterQueue>();

    public IOutboxMonitor Monitor => _services.GetRequiredService<IOutboxMonitor>();

    /// <summary>The clock the outbox's own services use (the machine's).</summary>
    public TimeProvider Clock => _services.GetRequiredService<TimeProvider>();

    public static bool IsSqlite(string connectionString) =>
        connectionString.Contains("Data Source", StringComparison.OrdinalIgnoreCase) || connectionString.Contains("Filename", StringComparison.OrdinalIgnoreCase);

    // A SQLite file that is not there is reported, never created: the tool reads and repairs a service's database, it makes none.
    public static void Use(DbContextOptionsBuilder options, string connectionString) =>
        _ = IsSqlite(connectionString) ? options.UseSqlite(ExistingFile(connectionString)) : options.UseNpgsql(connectionString);

    private static string ExistingFile(string connectionString)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.ReadWriteCreate)
        {
            builder.Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadWrite;
        }

        return builder.ToString();
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>The schema the service gave <c>AddOutboxTables</c>, if any.</summary>
internal sealed record OutboxSchema(string? Name);

/// <summary>Only the outbox's tables, as <c>AddOutboxTables</c> maps them in the service's own context.</summary>
internal sealed class OutboxTablesContext(DbContextOptions<OutboxTablesContext> options, OutboxSchema schema) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddOutboxTables(schema.Name);
}
