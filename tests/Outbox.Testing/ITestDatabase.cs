using Microsoft.EntityFrameworkCore;
using Outbox.EntityFrameworkCore;

namespace Outbox.Testing;

/// <summary>A fresh, empty database for one test.</summary>
public interface ITestDatabase : IAsyncDisposable
{
    /// <summary>The connection string a program outside the test (the CLI, say) reaches the database with.</summary>
    string ConnectionString { get; }

    void Configure(DbContextOptionsBuilder options);

    /// <summary>Names this database for <c>UseEntityFrameworkCore</c>.</summary>
    void Store(EntityFrameworkCoreStoreBuilder database);

    /// <summary>Creates the database and its tables.</summary>
    Task CreateAsync();

    /// <summary>Creates the database with no tables in it, for a schema of a test's own (migrations, say).</summary>
    Task CreateEmptyAsync();
}
