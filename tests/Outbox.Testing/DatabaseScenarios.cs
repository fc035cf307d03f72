using Xunit;

namespace Outbox.Testing;

/// <summary>A fresh database per test, and the application instances the test starts on it, disposed after.</summary>
public abstract class DatabaseScenarios : IAsyncLifetime
{
    private readonly List<OutboxTestHost> _hosts = [];

    protected ITestDatabase Database { get; private set; } = null!;

    protected abstract ITestDatabase NewDatabase();

    public async Task InitializeAsync()
    {
        Database = NewDatabase();
        await Database.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await Database.DisposeAsync();
    }

    /// <summary>Disposes <paramref name="host"/> with the test.</summary>
    protected OutboxTestHost Track(OutboxTestHost host)
    {
        _hosts.Add(host);
        return host;
    }
}
