using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>What an idle service logs at the levels of the ASP.NET Core and worker templates.</summary>
public sealed class LoggingTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public Task InitializeAsync() => _database.CreateAsync();

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public async Task IdlePolls_LogNothingAtInformation_WhileTheApplicationsOwnQueriesStillDo()
    {
        var capture = new LogCapture();
        await using var host = OutboxTestHost.Create(_database, services: s => s.AddLogging(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Debug)));

        for (var poll = 0; poll < 3; poll++)
        {
            Assert.Equal(0, await host.PollAsync());
            await host.Store.GetNextDueAsync(DateTimeOffset.UtcNow, CancellationToken.None);
            await host.Maintenance.RecoverAsync(CancellationToken.None);
        }

        Assert.Empty(capture.AtLeast(LogLevel.Information));
        // Still there for whoever turns on Debug.
        Assert.Contains(capture.Entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("Executed DbCommand", StringComparison.Ordinal) && e.Message.Contains("outbox_messages", StringComparison.Ordinal));

        await host.CountOrdersAsync();
        Assert.Contains(capture.AtLeast(LogLevel.Information), line => line.Contains("Executed DbCommand", StringComparison.Ordinal) && line.Contains("orders", StringComparison.Ordinal));
    }
}
