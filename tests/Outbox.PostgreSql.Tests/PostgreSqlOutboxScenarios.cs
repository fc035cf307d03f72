using Outbox.Testing;

namespace Outbox.Tests;

public sealed class PostgreSqlOutboxScenarios : OutboxScenarios
{
    protected override bool ClaimsConcurrently => true;

    protected override ITestDatabase NewDatabase() => new PostgreSqlTestDatabase();

    // Npgsql enlists in System.Transactions; EF Core's SQLite provider does not, so this runs here only.
    [Fact]
    public async Task TransactionScope_Completed_Sends_Disposed_SendsNothing()
    {
        var host = Host();
        using (var scope = new System.Transactions.TransactionScope(System.Transactions.TransactionScopeAsyncFlowOption.Enabled))
        {
            await host.PlaceOrderAsync(new OrderPlaced(1, "kept"));
            await host.DrainAsync();
            Assert.Empty(host.Memory.Sent);
            scope.Complete();
        }

        using (new System.Transactions.TransactionScope(System.Transactions.TransactionScopeAsyncFlowOption.Enabled))
        {
            await host.PlaceOrderAsync(new OrderPlaced(2, "dropped"));
        }

        await host.DrainAsync();

        Assert.Equal(["kept"], host.Memory.Sent.Select(Customer));
        Assert.Single(await host.RowsAsync());
    }
}
