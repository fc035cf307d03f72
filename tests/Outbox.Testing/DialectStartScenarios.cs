using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outbox.EntityFrameworkCore;
using Xunit;

namespace Outbox.Testing;

/// <summary>
/// Start-up's check that the database named in <c>UseEntityFrameworkCore</c> is the context's: its own starts,
/// another stops the start saying which was named. A database project derives it and names another database.
/// </summary>
public abstract class DialectStartScenarios : DatabaseScenarios
{
    /// <summary>Another database than this one, as <c>UseEntityFrameworkCore</c> names it, and how the message names it.</summary>
    protected abstract (Action<EntityFrameworkCoreStoreBuilder> Name, string Choice, string Database) Another { get; }

    [Fact]
    public async Task ItsOwnDatabaseNamed_Starts()
    {
        using var host = Host(Database.Store);

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task AnotherDatabaseNamed_StopsTheStart_SayingWhichWasNamed()
    {
        using var host = Host(Another.Name);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith(
            $"ShopContext is registered with UseEntityFrameworkCore<ShopContext>(database => database.{Another.Choice}), but its database does not answer as {Another.Database}",
            error.Message,
            StringComparison.Ordinal);
    }

    /// <summary>A host of the test's database, with <paramref name="database"/> named for it.</summary>
    protected IHost Host(Action<EntityFrameworkCoreStoreBuilder> database, Action<DbContextOptionsBuilder>? configure = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<ShopContext>((sp, o) => (configure ?? Database.Configure)(o.UseOutbox(sp)));
        builder.Services.AddOutbox(builder.Configuration.GetSection("Outbox")).UseEntityFrameworkCore<ShopContext>(database).UseInMemoryTransport();
        return builder.Build();
    }
}
