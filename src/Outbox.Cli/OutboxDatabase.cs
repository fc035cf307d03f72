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
        var sqlite = connectionString.Contains("Data Source", StringComparison.OrdinalIgnoreCase)
            || connectionString.Contains("Filename", StringComparison.OrdinalIgnoreCase);
        var services = new ServiceCollection().AddLogging().AddSingleton(new OutboxSchema(schema));
        services.AddDbContext<OutboxTablesContext>(options => _ = sqlite ? options.UseSqlite(connectionString) : options.UseNpgsql(connectionString));
        services.AddOutbox(new ConfigurationBuilder().Build().GetSection("Outbox")).UseEntityFrameworkCore<OutboxTablesContext>();
        _services = services.BuildServiceProvider();
    }

    public IDeadLetterQueue DeadLetters => _services.GetRequiredService<IDeadLetterQueue>();

    /// <summary>The clock the outbox's own services use (the machine's).</summary>
    public TimeProvider Clock => _services.GetRequiredService<TimeProvider>();

    /// <summary>Runs <paramref name="query"/> on a context of its own.</summary>
    public async Task<T> QueryAsync<T>(Func<OutboxTablesContext, Task<T>> query)
    {
        await using var scope = _services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<OutboxTablesContext>());
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
