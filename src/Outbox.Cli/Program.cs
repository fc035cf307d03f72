using System.CommandLine;
using System.CommandLine.Parsing;
using System.Data.Common;
using System.Text.RegularExpressions;
using Outbox;
using Outbox.Cli;
using Outbox.Storage;

// dotnet outbox: a service's outbox, read and repaired from its database. Exit codes: 0 done, 1 the
// database could not be reached or refused the query, 2 the command line or the settings file is wrong.
var connection = new Option<string?>("--connection", "-c")
{
    Description = "The service's connection string (SQLite when it has Data Source=, PostgreSQL otherwise).",
    Recursive = true,
};
var settings = new Option<FileInfo?>("--appsettings")
{
    Description = "Read the connection string from the service's appsettings.json instead (ConnectionStrings; a relative SQLite path is taken from the file's folder). With neither option, ./appsettings.json.",
    Recursive = true,
};
var connectionName = new Option<string?>("--connection-name") { Description = "Which entry of ConnectionStrings, when the file has several.", Recursive = true };
var schema = new Option<string?>("--schema") { Description = "The schema given to AddOutboxTables, if any.", Recursive = true };
var json = new Option<bool>("--json") { Description = "Write JSON for scripts instead of a table.", Recursive = true };

var status = new Command("status", "Counts of unsent, in-flight, half and sent messages, dead letters, and how long the most overdue message has waited, per destination.");
status.SetAction((result, token) => RunAsync(result, db => StatusCommand.RunAsync(db, result.GetValue(json), token)));

var take = new Option<int>("--take") { Description = "How many to show at most.", DefaultValueFactory = _ => 100, CustomParser = Parsers.Count };
var since = new Option<DateTimeOffset?>("--since") { Description = "Only those at or after this instant (ISO 8601, such as 2026-11-23T08:00Z).", CustomParser = Parsers.Instant };
var before = new Option<DateTimeOffset?>("--before") { Description = "Only those before this instant.", CustomParser = Parsers.Instant };
var destination = new Option<string?>("--destination") { Description = "Only those to this destination." };

var messageStatus = new Option<MessageState?>("--status") { Description = "Only messages in this state, as the list shows it: pending, being-sent, half, sent, rolled-back.", CustomParser = Parsers.State };
var kind = new Option<MessageKind?>("--kind") { Description = "Only messages of this kind: Outbox, or Transactional (half messages).", CustomParser = Parsers.Kind };
var type = new Option<string?>("--type") { Description = "Only messages of this registered type name." };
var key = new Option<string?>("--key") { Description = "Only messages with this ordering key." };
var messageList = new Command("list", "Outbox messages, newest first.") { messageStatus, kind, destination, type, key, since, before, take };
messageList.SetAction((result, token) => RunAsync(result, db => MessageCommands.ListAsync(
    db,
    new MessageFilter
    {
        Status = result.GetValue(messageStatus)?.Status, Kind = result.GetValue(kind) ?? result.GetValue(messageStatus)?.Kind, Destination = result.GetValue(destination),
        MessageType = result.GetValue(type), Key = result.GetValue(key), Since = result.GetValue(since), Before = result.GetValue(before),
    },
    result.GetValue(take),
    result.GetValue(json),
    token)));
var messageId = new Argument<Guid>("message-id") { Description = "The message id.", CustomParser = Parsers.MessageId };
var messageShow = new Command("show", "One outbox message with its headers and payload.") { messageId };
messageShow.SetAction((result, token) => RunAsync(result, db => MessageCommands.ShowAsync(db, result.GetValue(messageId), result.GetValue(json), token)));

var source = new Option<string?>("--source") { Description = "Only those recorded by dispatch, transaction-check or consumer." };
var consumer = new Option<string?>("--consumer") { Description = "Only those of this consumer." };
var reason = new Option<string?>("--reason") { Description = "Only those with this reason (max-attempts, max-deliveries, check-limit-reached, …)." };
var olderThan = new Option<TimeSpan?>("--older-than") { Description = "Only those recorded longer ago than this, such as 30.00:00:00.", CustomParser = Parsers.Duration };
Option[] filters = [source, consumer, reason, destination, since, before, olderThan];
DeadLetterFilter Filter(ParseResult result, OutboxDatabase database, Guid? id = null) => new()
{
    MessageIds = id is { } one ? [one] : null,
    Source = result.GetValue(source), Consumer = result.GetValue(consumer), Reason = result.GetValue(reason),
    Destination = result.GetValue(destination), Since = result.GetValue(since),
    Before = result.GetValue(olderThan) is { } age ? database.Clock.GetUtcNow() - age : result.GetValue(before),
};
bool Filtered(CommandResult command) => filters.Any(f => command.GetResult(f) is not null);

var deadLetterList = new Command("list", "Dead letters, oldest first.") { take };
var deadLetterId = new Argument<Guid?>("message-id") { Description = "The dead letter's message id.", Arity = ArgumentArity.ZeroOrOne, CustomParser = Parsers.OptionalMessageId };
var deadLetterShow = new Command("show", "The dead letters of one message, with headers, payload and last error.") { messageId };
var all = new Option<bool>("--all") { Description = "Every dead letter, when no filter is given." };
var requeue = new Command("requeue", "Sends dead letters again: one message by its id, or those the filters select, or --all.") { deadLetterId, all };
var purge = new Command("purge", "Deletes dead letters: those the filters select, or --all.") { all };
foreach (var filter in filters)
{
    deadLetterList.Options.Add(filter);
    requeue.Options.Add(filter);
    purge.Options.Add(filter);
}

requeue.Validators.Add(command =>
{
    var selections = (command.GetResult(deadLetterId) is { Tokens.Count: > 0 } ? 1 : 0) + (Filtered(command) ? 1 : 0) + (command.GetValue(all) ? 1 : 0);
    if (selections != 1)
    {
        command.AddError("Give a message id, filters (--reason, --consumer, …), or --all: exactly one of them.");
    }
});
purge.Validators.Add(command =>
{
    if (Filtered(command) == command.GetValue(all))
    {
        command.AddError("Give filters (--older-than, --reason, …) or --all: exactly one of them.");
    }
});
deadLetterList.SetAction((result, token) => RunAsync(result, db => DeadLetterCommands.ListAsync(db, Filter(result, db), result.GetValue(take), result.GetValue(json), token)));
deadLetterShow.SetAction((result, token) => RunAsync(result, db => DeadLetterCommands.ShowAsync(db, result.GetValue(messageId), result.GetValue(json), token)));
requeue.SetAction((result, token) => RunAsync(result, db => DeadLetterCommands.RequeueAsync(db, Filter(result, db, result.GetValue(deadLetterId)), result.GetValue(json), token)));
purge.SetAction((result, token) => RunAsync(result, db => DeadLetterCommands.PurgeAsync(db, Filter(result, db), result.GetValue(json), token)));

var gapsOf = new Option<string?>("--consumer") { Description = "Only this consumer's gaps." };
var gaps = new Command("sequence-gaps", "Sequence numbers that consumers with CheckSequence found missing and have not received since.") { gapsOf };
gaps.SetAction((result, token) => RunAsync(result, db => SequenceCommands.ListGapsAsync(db, result.GetValue(gapsOf), result.GetValue(json), token)));

var provider = new Option<string>("--provider") { Description = "The database the script is for.", Required = true };
provider.AcceptOnlyFromAmong("postgresql", "sqlite");
var migrateScript = new Command("migrate-script", "Writes the SQL that creates the outbox's tables and indexes, for a database not managed by EF Core migrations.") { provider };
migrateScript.SetAction(result => Console.WriteLine(MigrateScript.Create(result.GetValue(provider)!, result.GetValue(schema))));

var root = new RootCommand("Status, messages and dead letters of an Outbox service, from its database.")
{
    connection,
    settings,
    connectionName,
    schema,
    json,
    status,
    new Command("messages", "List and show outbox messages.") { messageList, messageShow },
    new Command("dead-letters", "List, show, requeue and purge dead letters.") { deadLetterList, deadLetterShow, requeue, purge },
    gaps,
    migrateScript,
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    return Usage(parsed.Errors.Select(e => e.Message));
}

// System.CommandLine writes help and version through the invocation's output, and names the root after the
// assembly (Outbox.Cli), which a user does not type: its usage lines say the tool's command instead.
var helpAndVersion = new StringWriter();
var exitCode = await parsed.InvokeAsync(new InvocationConfiguration { Output = helpAndVersion });
Console.Out.Write(Regex.Replace(helpAndVersion.ToString(), $@"(?m)^(\s+){Regex.Escape(RootCommand.ExecutableName)}\b", "$1dotnet outbox"));
return exitCode;

static int Usage(IEnumerable<string> errors)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine(error);
    }

    return 2;
}

async Task<int> RunAsync(ParseResult result, Func<OutboxDatabase, Task> command)
{
    string connectionString;
    try
    {
        connectionString = ConnectionSettings.Resolve(result.GetValue(connection), result.GetValue(settings), result.GetValue(connectionName));
    }
    catch (ArgumentException e)
    {
        return Usage([e.Message]);
    }

    if (ConnectionSettings.Problem(connectionString) is { } problem)
    {
        return Usage([problem]);
    }

    await using var database = new OutboxDatabase(connectionString, result.GetValue(schema));
    try
    {
        await command(database);
        return 0;
    }
    catch (NotFoundException e)
    {
        Console.Error.WriteLine(Output.Safe(e.Message));
        return 1;
    }
    catch (Exception e) when (e is DbException or InvalidOperationException)
    {
        var cause = e is DbException ? e : e.InnerException as DbException ?? e;
        Console.Error.WriteLine(Output.Safe($"The outbox tables could not be read: {cause.Message}"));
        return 1;
    }
}
