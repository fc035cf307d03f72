using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>Start-up's check that the database named in UseEntityFrameworkCore is the context's, on PostgreSQL.</summary>
public sealed class DialectStartTests : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    public Task InitializeAsync() => _database.CreateAsync();

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public async Task SqliteNamedForAPostgreSqlDatabase_StopsTheStart_SayingWhichWasNamed()
    {
        using var host = Host(_database.ConnectionString, database => database.UseSqlite());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith(
            "ShopContext is registered with UseEntityFrameworkCore<ShopContext>(database => database.UseSqlite()), but its database does not answer as SQLite",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task MySqlNamedForAPostgreSqlDatabase_StopsTheStart_WithTheAnswerItGot()
    {
        using var host = Host(_database.ConnectionString, database => database.UseMySql());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith(
            "ShopContext is registered with UseEntityFrameworkCore<ShopContext>(database => database.UseMySql()), but its database answered 'PostgreSQL 1",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgreSqlNamed_Starts()
    {
        using var host = Host(_database.ConnectionString, database => database.UsePostgreSql());

        await host.StartAsync();
        await host.StopAsync();
    }

    // A database that does not answer at start cannot be checked (the wrong database is named here, and nothing
    // says so): the service starts, and the dispatcher waits for the database.
    [Fact]
    public async Task ADatabaseThatDoesNotAnswer_IsNotChecked_AndTheServiceStarts()
    {
        using var host = Host("Host=127.0.0.1;Port=1;Username=outbox;Password=outbox;Database=none;Timeout=2", database => database.UseSqlite());

        await host.StartAsync();
        await host.StopAsync();
    }

    private static IHost Host(string connectionString, Action<EntityFrameworkCoreStoreBuilder> database)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<ShopContext>((sp, o) => o.UseNpgsql(connectionString).UseOutbox(sp));
        builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox")).UseEntityFrameworkCore<ShopContext>(database).UseInMemoryTransport();
        return builder.Build();
    }
}
