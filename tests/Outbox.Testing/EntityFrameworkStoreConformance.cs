using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.Testing;

/// <summary>The Entity Framework Core store on <see cref="ShopContext"/>, for the store conformance suite; the database comes from the deriving class.</summary>
public abstract class EntityFrameworkStoreConformance : StoreConformance
{
    private ITestDatabase _database = null!;

    protected abstract ITestDatabase NewDatabase();

    protected override Task CreateDatabaseAsync()
    {
        _database = NewDatabase();
        return _database.CreateAsync();
    }

    protected override void UseStore(IOutboxBuilder outbox)
    {
        outbox.Services.AddDbContext<ShopContext>((sp, options) => _database.Configure(options.UseOutbox(sp)));
        outbox.UseEntityFrameworkCore<ShopContext>(_database.Store);
    }

    protected override Task SaveAsync(IServiceProvider scope) => scope.GetRequiredService<ShopContext>().SaveChangesAsync();

    protected override Task DropDatabaseAsync() => _database.DisposeAsync().AsTask();
}
