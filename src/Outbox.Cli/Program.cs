using System.CommandLine;
using System.Data.Common;
using Outbox.Cli;

// dotnet outbox: a service's outbox, read and repaired from its database. Exit codes: 0 done, 1 the
// database could not be reached or refused the query, 2 the command line is wrong.
var connection = new Option<string>("--connection", "-c")
{
    Description = "The service's connection string (SQLite when it has Data Source=, PostgreSQL otherwise).",
    Required = true,
    Recursive = true,
};
var schema = new Option<string?>("--schema") { Description = "The schema given to AddOutboxTables, if any.", Recursive = true };
var json = new Option<bool>("--json") { Description = "Write JSON for scripts instead of a table.", Recursive = true };

var status = new Command("status", "Counts of unsent, in-flight, half and sent messages, dead letters, and how long the most overdue message has waited.");
status.SetAction((result, token) => RunAsync(result, db => Commands.StatusAsync(db, result.GetValue(json), token)));

var reason = new Option<string?>("--reason") { Description = "Only dead letters with this reason (max-attempts, max-deliveries, check-limit-reached, …)." };
var consumer = new Option<string?>("--consumer") { Description = "Only dead letters of this consumer." };
var list = new Command("list", "Dead letters, oldest first.") { reason, consumer };
list.SetAction((result, token) => RunAsync(result, db => Commands.ListAsync(db, new(result.GetValue(reason), result.GetValue(consumer)), result.GetValue(json), token)));

var id = new Argument<Guid?>("message-id") { Description = "The dead letter's message id.", Arity = ArgumentArity.ZeroOrOne };
var all = new Option<bool>("--all") { Description = "Every dead letter that matches the filters." };
var requeue = new Command("requeue", "Sends dead letters again: one by its message id, or those --reason/--consumer select with --all.") { id, reason, consumer, all };
requeue.Validators.Add(command =>
{
    var filtered = command.GetValue(reason) is not null || command.GetValue(consumer) is not null || command.GetValue(all);
    if (command.GetValue(id) is null == !filtered)
    {
        command.AddError("Give a message id, or --all with optional --reason/--consumer, not both.");
    }
});
requeue.SetAction((result, token) => RunAsync(result, db => Commands.RequeueAsync(db, result.GetValue(id), new(result.GetValue(reason), result.GetValue(consumer)), result.GetValue(json), token)));

var olderThan = new Option<TimeSpan>("--older-than") { Description = "Age of the dead letters to delete, such as 30.00:00:00.", Required = true };
var purge = new Command("purge", "Deletes dead letters recorded longer ago than --older-than.") { olderThan };
purge.SetAction((result, token) => RunAsync(result, db => Commands.PurgeAsync(db, result.GetValue(olderThan), result.GetValue(json), token)));

var root = new RootCommand("Status and dead letters of an Outbox service, from its database.")
{
    connection,
    schema,
    json,
    status,
    new Command("dead-letters", "List, requeue and purge dead letters.") { list, requeue, purge },
};
var parsed = root.Parse(args);
return parsed.Errors.Count > 0 ? Usage(parsed) : await parsed.InvokeAsync();

int Usage(ParseResult result)
{
    foreach (var error in result.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    return 2;
}

async Task<int> RunAsync(ParseResult result, Func<OutboxDatabase, Task> command)
{
    await using var database = new OutboxDatabase(result.GetValue(connection)!, result.GetValue(schema));
    try
    {
        await command(database);
        return 0;
    }
    catch (Exception e) when (e is DbException or InvalidOperationException)
    {
        var cause = e is DbException ? e : e.InnerException as DbException ?? e;
        Console.Error.WriteLine($"The outbox tables could not be read: {cause.Message}");
        return 1;
    }
}
