using Microsoft.EntityFrameworkCore;

namespace Outbox.Testing;

/// <summary>A fresh, empty database for one test.</summary>
public interface ITestDatabase : IAsyncDisposable
{
    void Configure(DbContextOptionsBuilder options);

    /// <summary>Creates the database and its tables.</summary>
    Task CreateAsync();
}
