using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Storage;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>
/// <c>dotnet outbox</c> run as a process against a service's database, as an operator runs it; each
/// provider's test project runs them all. The test project references Outbox.Cli, so its build sits next
/// to the tests.
/// </summary>
public abstract class CliScenarios : DatabaseScenarios
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow.AddMinutes(-5));

    [Fact]
    public async Task Status_CountsUnsentMessagesAndDeadLetters_AsTableAndJson()
    {
        var host = Track(OutboxTestHost.Create(Database, _time));
        await host.PlaceOrderAsync(new OrderPlaced(1, "ada")); // committed, not yet sent: the test drives the dispatcher
        await host.PlaceOrderAsync(new OrderPlaced(2, "bob"));
        await DeadLetterAsync(host, "billing", "max-deliveries");

        var (exitCode, output) = await RunAsync("status", "--json");

        Assert.True(exitCode == 0, output);
        using var status = JsonDocument.Parse(output);
        Assert.Equal(2, status.RootElement.GetProperty("sending").GetInt32());
        Assert.Equal(1, status.RootElement.GetProperty("deadLetters").GetInt32());
        Assert.True(status.RootElement.GetProperty("oldestDueSeconds").GetDouble() >= 299, output);
        Assert.Equal(2, status.RootElement.GetProperty("destinations")[0].GetProperty("unsent").GetInt32());

        var (_, table) = await RunAsync("status");
        Assert.Matches("written, being sent +2", table);
        Assert.Matches("orders.placed +2 +\\d+ s ago", table);
    }

    [Fact]
    public async Task DeadLetters_ListedAndRequeuedByReason_ReachTheirConsumerAgain_ThenTheRestArePurged()
    {
        var host = Track(OutboxTestHost.Create(Database, _time));
        var first = await DeadLetterAsync(host, "billing", "max-deliveries");
        var second = await DeadLetterAsync(host, "billing", "max-deliveries");
        var malformed = await DeadLetterAsync(host, "shipping", "malformed-message");

        var (listed, list) = await RunAsync("dead-letters", "list", "--reason", "max-deliveries");
        Assert.Equal(0, listed);
        Assert.Contains(first.ToString(), list, StringComparison.Ordinal);
        Assert.Contains(second.ToString(), list, StringComparison.Ordinal);
        Assert.DoesNotContain(malformed.ToString(), list, StringComparison.Ordinal);
        Assert.Contains("2 dead letter(s)", list, StringComparison.Ordinal);

        var (requeued, requeue) = await RunAsync("dead-letters", "requeue", "--all", "--reason", "max-deliveries");
        Assert.Equal((0, "requeued 2 dead letter(s); the service sends them at its next poll"), (requeued, requeue.Trim()));
        _time.Advance(TimeSpan.FromMinutes(10)); // the CLI requeued them due at the machine's time, ahead of the service's clock
        await host.PollUntilIdleAsync();
        Assert.Equal(new[] { first, second }.Order(), host.Memory.Sent.Select(m => m.MessageId).Order());
        Assert.All(host.Memory.Sent, m => Assert.Equal("billing", m.Headers[TransportMessage.ConsumerHeader]));

        var (purged, purge) = await RunAsync("dead-letters", "purge", "--older-than", "00:01:00", "--json");
        Assert.Equal(0, purged);
        Assert.Equal(1, JsonDocument.Parse(purge).RootElement.GetProperty("purged").GetInt32());
        var (_, empty) = await RunAsync("dead-letters", "list", "--json");
        Assert.Equal(0, JsonDocument.Parse(empty).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task BadCommandLine_ExitsTwo_AndAnUnreachableDatabase_ExitsOne_NamingTheCause()
    {
        var (usage, usageOutput) = await RunAsync("dead-letters", "requeue");
        Assert.Equal((2, "Give a message id, or --all with optional --reason/--consumer, not both."), (usage, usageOutput.Trim()));

        var (unreachable, output) = await RunWithAsync(UnreachableConnectionString, "status");
        Assert.Equal(1, unreachable);
        Assert.StartsWith("The outbox tables could not be read: ", output.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    /// <summary>A connection string of this provider that reaches no database.</summary>
    protected abstract string UnreachableConnectionString { get; }

    private async Task<Guid> DeadLetterAsync(OutboxTestHost host, string consumer, string reason)
    {
        var message = new TransportMessage(Guid.NewGuid(), "orders.placed", "OrderPlaced", "k", "{}"u8.ToArray(), "application/json", new Dictionary<string, string>(), _time.GetUtcNow());
        await host.Services.GetRequiredService<IInboxStore>().DeadLetterDeliveryAsync(message, consumer, reason, 10, "handler failed", _time.GetUtcNow().UtcDateTime, CancellationToken.None);
        return message.MessageId;
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) => RunWithAsync(Database.ConnectionString, arguments);

    private static async Task<(int ExitCode, string Output)> RunWithAsync(string connectionString, params string[] arguments)
    {
        using var cli = new DotnetProcess();
        cli.Start(["exec", Path.Combine(AppContext.BaseDirectory, "Outbox.Cli.dll"), .. arguments, "--connection", connectionString]);
        var exitCode = await cli.WaitForExitAsync(TimeSpan.FromMinutes(1));
        return (exitCode, cli.Output);
    }
}
