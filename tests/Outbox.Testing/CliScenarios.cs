using System.Text.Json;
using Microsoft.EntityFrameworkCore;
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

        var (shown, show) = await RunAsync("dead-letters", "show", first.ToString());
        Assert.Equal(0, shown);
        Assert.Matches("reason +max-deliveries", show);
        Assert.Matches("dead-lettered by +consumer billing", show);
        Assert.Contains("{\"orderId\":1}", show, StringComparison.Ordinal);

        var (requeued, requeue) = await RunAsync("dead-letters", "requeue", "--reason", "max-deliveries");
        Assert.Equal((0, "requeued 2 dead letter(s); the service sends them at its next poll"), (requeued, requeue.Trim()));
        _time.Advance(TimeSpan.FromMinutes(10)); // the CLI requeued them due at the machine's time, ahead of the service's clock
        await host.PollUntilIdleAsync();
        Assert.Equal(new[] { first, second }.Order(), host.Memory.Sent.Select(m => m.MessageId).Order());
        Assert.All(host.Memory.Sent, m => Assert.Equal("billing", m.Headers[TransportMessage.ConsumerHeader]));

        var (kept, keep) = await RunAsync("dead-letters", "purge", "--reason", "max-deliveries", "--json");
        Assert.Equal((0, 0), (kept, JsonDocument.Parse(keep).RootElement.GetProperty("purged").GetInt32()));
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
        Assert.Equal((2, "Give a message id, filters (--reason, --consumer, …), or --all: exactly one of them."), (usage, usageOutput.Trim()));
        var (both, bothOutput) = await RunAsync("dead-letters", "purge", "--all", "--reason", "max-attempts");
        Assert.Equal((2, "Give filters (--older-than, --reason, …) or --all: exactly one of them."), (both, bothOutput.Trim()));
        var (missing, missingOutput) = await RunCliAsync("status");
        Assert.Equal(
            (2, "Give the database as --connection \"…\" or as --appsettings path/to/appsettings.json, or run from the service's folder, where its appsettings.json is."),
            (missing, missingOutput.Trim()));

        var (unreachable, output) = await RunWithAsync(UnreachableConnectionString, "status");
        Assert.Equal(1, unreachable);
        Assert.StartsWith("The outbox tables could not be read: ", output.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--status: 'bogus' is not pending, being-sent, half, sent or rolled-back.", "messages", "list", "--status", "bogus")]
    [InlineData("message-id: 'not-a-guid' is not a message id: a GUID such as", "dead-letters", "requeue", "not-a-guid")]
    [InlineData("message-id: 'not-a-guid' is not a message id: a GUID such as", "dead-letters", "show", "not-a-guid")]
    [InlineData("--since: 'yesterday' is not an instant in ISO 8601, such as 2026-11-23T08:00Z.", "dead-letters", "list", "--since", "yesterday")]
    [InlineData("--older-than: 'a month' is not a duration such as 30.00:00:00", "dead-letters", "purge", "--older-than", "a month")]
    [InlineData("--take: '0' is not a whole number from 1.", "messages", "list", "--take", "0")]
    [InlineData("--kind: 'Other' is not Outbox, or Transactional (half messages).", "messages", "list", "--kind", "Other")]
    public async Task BadValue_ExitsTwo_InOneLineNamingTheArgumentAndWhatItAccepts(string expected, params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(arguments);

        Assert.Equal(2, exitCode);
        Assert.StartsWith(expected, output.Trim(), StringComparison.Ordinal);
        Assert.Single(output.Trim().Split('\n'));
        Assert.DoesNotContain("System.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIdThatIsNotThere_ExitsOne_SayingNoSuchThing()
    {
        var id = Guid.NewGuid();

        foreach (var command in new[] { new[] { "dead-letters", "requeue" }, ["dead-letters", "show"], ["messages", "show"] })
        {
            var (exitCode, output) = await RunAsync([.. command, id.ToString()]);
            Assert.Equal(1, exitCode);
            Assert.Contains(id.ToString(), output, StringComparison.Ordinal);
            Assert.DoesNotContain("could not be read", output, StringComparison.Ordinal);
            Assert.Single(output.Trim().Split('\n'));
        }

        Assert.Contains("no such dead letter", (await RunAsync("dead-letters", "requeue", id.ToString())).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_TakesTheNamesTheListPrints()
    {
        var host = Track(OutboxTestHost.Create(Database, _time));
        var sent = await host.PlaceOrderAsync(new OrderPlaced(1, "ada"));
        await host.DrainAsync();
        var waiting = await host.PlaceOrderAsync(new OrderPlaced(2, "bob"));

        var (_, sentList) = await RunAsync("messages", "list", "--status", "sent");
        var (_, beingSent) = await RunAsync("messages", "list", "--status", "being-sent");
        var (alias, dispatched) = await RunAsync("messages", "list", "--status", "Dispatched");

        Assert.Contains(sent.ToString(), sentList, StringComparison.Ordinal);
        Assert.DoesNotContain(waiting.ToString(), sentList, StringComparison.Ordinal);
        Assert.Contains(waiting.ToString(), beingSent, StringComparison.Ordinal);
        Assert.Equal(0, alias);
        Assert.Contains(sent.ToString(), dispatched, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FieldsWithTerminalEscapes_AreShownEscaped_NeverObeyed()
    {
        var host = Track(OutboxTestHost.Create(Database, _time));
        var message = new TransportMessage(
            Guid.NewGuid(), "orders.placed", "Evil\u001b]0;pwned\u0007Type", "k\u001b[2K", "{\"note\":\"\u001b[31mred\"}"u8.ToArray(), "application/json",
            new Dictionary<string, string> { ["tenant\u001b[1A"] = "a\u009bb" }, _time.GetUtcNow());
        await host.Services.GetRequiredService<IOutboxStore>().Inbox.DeadLetterDeliveryAsync(message, "billing", "malformed-message", 1, "error \u001b[2J", _time.GetUtcNow(), null, CancellationToken.None);

        var (listed, list) = await RunAsync("dead-letters", "list");
        var (shown, show) = await RunAsync("dead-letters", "show", message.MessageId.ToString());

        Assert.Equal((0, 0), (listed, shown));
        foreach (var output in new[] { list, show })
        {
            Assert.DoesNotContain(output, c => c is '\u001b' or '\u0007' or '\u009b');
            Assert.Contains("Evil\\x1b]0;pwned\\x07Type", output, StringComparison.Ordinal);
        }

        Assert.Contains("k\\x1b[2K", show, StringComparison.Ordinal);
        Assert.Contains("tenant\\x1b[1A: a\\x9bb", show, StringComparison.Ordinal);
        Assert.Contains("\\x1b[31mred", show, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=abc;Username=outbox;Password=planted-pw-1", "PostgreSQL")]
    [InlineData("Bogus=1;Host=127.0.0.1;Password=planted-pw-1", "PostgreSQL")]
    [InlineData("Data Source=outbox.db;Bogus=1;Password=planted-pw-1", "SQLite")]
    public async Task MalformedConnectionString_ExitsTwo_InOneLine_WithoutItsPassword(string connectionString, string database)
    {
        var (exitCode, output) = await RunWithAsync(connectionString, "status");

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"The connection string is not valid for {database}: ", output.Trim(), StringComparison.Ordinal);
        Assert.Single(output.Trim().Split('\n'));
        Assert.DoesNotContain("planted-pw-1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableDatabase_ExitsOne_WithoutThePassword()
    {
        var (exitCode, output) = await RunWithAsync("Host=127.0.0.1;Port=1;Username=outbox;Password=planted pw@2;Timeout=3", "status");

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("planted pw@2", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_ListedByStateAndDestination_AndShownWithHeadersAndPayload()
    {
        var host = Track(OutboxTestHost.Create(Database, _time));
        var sent = await host.PlaceOrderAsync(new OrderPlaced(1, "ada"));
        await host.DrainAsync();
        var waiting = await host.PlaceOrderAsync(new OrderPlaced(2, "bob"));

        var (listed, list) = await RunAsync("messages", "list", "--status", "Dispatched", "--destination", "orders.placed", "--json");
        Assert.Equal(0, listed);
        var only = Assert.Single(JsonDocument.Parse(list).RootElement.EnumerateArray());
        Assert.Equal((sent, "sent"), (only.GetProperty("messageId").GetGuid(), only.GetProperty("state").GetString()));

        var (_, table) = await RunAsync("messages", "list");
        Assert.Matches($"{waiting} .* being sent +orders.placed", table);
        Assert.Contains("2 message(s)", table, StringComparison.Ordinal);

        var (shown, show) = await RunAsync("messages", "show", waiting.ToString());
        Assert.Equal(0, shown);
        Assert.Matches("state +being sent", show);
        Assert.Contains("\"customer\":\"bob\"", show, StringComparison.Ordinal);

        var (absent, absentOutput) = await RunAsync("messages", "show", Guid.NewGuid().ToString());
        Assert.Equal(1, absent);
        Assert.Contains("it was never written, or it was sent and deleted", absentOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SequenceGaps_ListWhatConsumersFoundMissing_AsTableAndJson()
    {
        var host = Track(OutboxTestHost.Create(Database, _time));
        var store = host.Services.GetRequiredService<IOutboxStore>();
        foreach (var sequence in new long[] { 1, 4 })
        {
            await store.Inbox.HandleOnceAsync(Guid.NewGuid(), "billing", (services, ct) =>
                store.Sequences(services).RecordAsync("billing", "orders", "order-7", sequence, _time.GetUtcNow(), ct), CancellationToken.None);
        }

        var (listed, table) = await RunAsync("sequence-gaps");
        Assert.Equal(0, listed);
        Assert.Matches("billing +orders +order-7 +2–3 ", table);
        Assert.Contains("2 message(s) missing in 1 gap(s)", table, StringComparison.Ordinal);

        var (_, json) = await RunAsync("sequence-gaps", "--consumer", "shipping", "--json");
        Assert.Equal(0, JsonDocument.Parse(json).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task MigrateScript_CreatesTheTablesOnAnEmptyDatabase_AndRunsAgainHarmlessly()
    {
        await using var empty = NewDatabase();
        await empty.CreateEmptyAsync();
        var (written, script) = await RunCliAsync("migrate-script", "--provider", ScriptProvider);
        Assert.Equal(0, written);

        var options = new DbContextOptionsBuilder<DbContext>();
        empty.Configure(options);
        await using (var context = new DbContext(options.Options))
        {
            await context.Database.ExecuteSqlRawAsync(script);
            await context.Database.ExecuteSqlRawAsync(script);
        }

        var (status, output) = await RunWithAsync(empty.ConnectionString, "status", "--json");
        Assert.True(status == 0, output);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetProperty("deadLetters").GetInt32());
    }

    [Fact]
    public async Task Appsettings_NameTheDatabase_ByTheirOnlyConnectionString_OrByName()
    {
        var host = Track(OutboxTestHost.Create(Database, _time));
        await DeadLetterAsync(host, "billing", "max-deliveries");
        var folder = Directory.CreateTempSubdirectory("outbox-cli-");
        try
        {
            var settings = Path.Combine(folder.FullName, "appsettings.json");
            await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new { ConnectionStrings = new { Orders = Database.ConnectionString } }));
            var (listed, list) = await RunCliAsync("dead-letters", "list", "--appsettings", settings);
            Assert.True(listed == 0, list);
            Assert.Contains("1 dead letter(s)", list, StringComparison.Ordinal);

            await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new { ConnectionStrings = new { Orders = Database.ConnectionString, Cache = "Host=cache" } }));
            var (ambiguous, output) = await RunCliAsync("status", "--appsettings", settings);
            Assert.Equal((2, "appsettings.json has 2 connection strings (Cache, Orders): choose one with --connection-name."), (ambiguous, output.Trim()));
            var (named, _) = await RunCliAsync("status", "--appsettings", settings, "--connection-name", "Orders");
            Assert.Equal(0, named);

            // From the service's folder, as an operator on its machine runs it: no option names the database.
            await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new { ConnectionStrings = new { Orders = Database.ConnectionString } }));
            var (requeued, requeue) = await RunCliInAsync(folder.FullName, "dead-letters", "requeue", "--reason", "max-deliveries");
            Assert.Equal((0, "requeued 1 dead letter(s); the service sends them at its next poll"), (requeued, requeue.Trim()));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The <c>--provider</c> of <c>migrate-script</c> for this database.</summary>
    protected abstract string ScriptProvider { get; }

    /// <summary>A connection string of this provider that reaches no database.</summary>
    protected abstract string UnreachableConnectionString { get; }

    private async Task<Guid> DeadLetterAsync(OutboxTestHost host, string consumer, string reason)
    {
        var message = new TransportMessage(Guid.NewGuid(), "orders.placed", "OrderPlaced", "k", "{\"orderId\":1}"u8.ToArray(), "application/json", new Dictionary<string, string>(), _time.GetUtcNow());
        await host.Services.GetRequiredService<IOutboxStore>().Inbox.DeadLetterDeliveryAsync(message, consumer, reason, 10, "handler failed", _time.GetUtcNow(), null, CancellationToken.None);
        return message.MessageId;
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) => RunWithAsync(Database.ConnectionString, arguments);

    protected static Task<(int ExitCode, string Output)> RunWithAsync(string connectionString, params string[] arguments) =>
        RunCliAsync([.. arguments, "--connection", connectionString]);

    protected static Task<(int ExitCode, string Output)> RunCliAsync(params string[] arguments) => RunCliInAsync(null, arguments);

    private static async Task<(int ExitCode, string Output)> RunCliInAsync(string? folder, params string[] arguments)
    {
        using var cli = new DotnetProcess();
        cli.Start(["exec", Path.Combine(AppContext.BaseDirectory, "Outbox.Cli.dll"), .. arguments], folder);
        var exitCode = await cli.WaitForExitAsync(TimeSpan.FromMinutes(1));
        return (exitCode, cli.Output);
    }
}
