using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>Start-up's check of the database named in UseEntityFrameworkCore, on PostgreSQL.</summary>
public sealed class DialectStartTests : DialectStartScenarios
{
    protected override (Action<EntityFrameworkCoreStoreBuilder> Name, string Choice, string Database) Another => (d => d.UseSqlite(), "UseSqlite()", "SQLite");

    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();

    // MariaDB's version query is PostgreSQL's too, but its answer is not MariaDB's.
    [Fact]
    public async Task MySqlNamedForAPostgreSqlDatabase_StopsTheStart_WithTheAnswerItGot()
    {
        using var host = Host(database => database.UseMySql());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith(
            "ShopContext is registered with UseEntityFrameworkCore<ShopContext>(database => database.UseMySql()), but its database answered 'PostgreSQL 1",
            error.Message,
            StringComparison.Ordinal);
    }

    // A database that does not answer at start cannot be checked (the wrong database is named here, and nothing
    // says so): the service starts, and the dispatcher waits for the database.
    [Fact]
    public async Task ADatabaseThatDoesNotAnswer_IsNotChecked_AndTheServiceStarts()
    {
        using var host = Host(database => database.UseSqlite(), o => o.UseNpgsql("Host=127.0.0.1;Port=1;Username=outbox;Password=outbox;Database=none;Timeout=2"));

        await host.StartAsync();
        await host.StopAsync();
    }
}
