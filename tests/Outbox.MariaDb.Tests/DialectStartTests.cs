using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>Start-up's check that the database named in UseEntityFrameworkCore is the context's, on MariaDB.</summary>
public sealed class DialectStartTests : IAsyncLifetime
{
    private readonly MariaDbTestDatabase _database = new();

    public Task InitializeAsync() => _database.CreateAsync();

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public async Task PostgreSqlNamedForAMariaDbDatabase_StopsTheStart_SayingWhichWasNamed()
    {
        using var host = Host(_database.ConnectionString, database => database.UsePostgreSql());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith(
            "ShopContext is registered with UseEntityFrameworkCore<ShopContext>(database => database.UsePostgreSql()), but its database does not answer as PostgreSQL",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task MySqlNamed_Starts()
    {
        using var host = Host(_database.ConnectionString, database => database.UseMySql());

        await host.StartAsync();
        await host.StopAsync();
    }

    private static IHost Host(string connectionString, Action<EntityFrameworkCoreStoreBuilder> database)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<ShopContext>((sp, o) => o.UseMySQL(connectionString).UseOutbox(sp));
        builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox")).UseEntityFrameworkCore<ShopContext>(database).UseInMemoryTransport();
        return builder.Build();
    }
}
