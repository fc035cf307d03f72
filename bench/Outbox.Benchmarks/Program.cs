using Outbox.Benchmarks;

// Measures the outbox on PostgreSQL (or MariaDB) against baselines taken in the same run. Usage:
//   dotnet run -c Release --project bench/Outbox.Benchmarks [-- --quick] [--section N] [--check] [--database MariaDB]
// --check exits with 1 when a figure misses its target in targets.json. --database MariaDB runs the sections that
// have a MariaDB form (2, the backlog; 10, the write path), with no targets yet.
// OUTBOX_BENCH_POSTGRES, OUTBOX_BENCH_MARIADB and OUTBOX_BENCH_RABBITMQ name the servers (default: the local ones
// eng/services.sh starts).
var targets = Targets.Load(Path.Combine(AppContext.BaseDirectory, "targets.json"));
var database = BenchDatabase.Parse(args.SkipWhile(a => a != "--database").Skip(1).FirstOrDefault());
var env = new BenchEnvironment(args.Contains("--quick"), targets, database);
var only = args.SkipWhile(a => a != "--section").Skip(1).FirstOrDefault();
string[] everywhere = ["2", "10"];
Scenario[] scenarios =
[
    new TransactionOverheadScenario(env),
    new RelayThroughputScenario(env),
    new CommitLatencyScenario(env),
    new CheckJobScenario(env),
    new InboxScenario(env),
    new RabbitMQRelayScenario(env),
    new RabbitMQLatencyScenario(env),
    new KafkaRelayScenario(env),
    new RecoveryScenario(env),
    new WritePathScenario(env),
    new SequencedWriteScenario(env),
];

Console.WriteLine($"# Outbox benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {database.Name}: {await env.ServerVersionAsync()}");
Console.WriteLine();
foreach (var scenario in scenarios.Where(s => (only is null || s.Section == only) && (database.Name == "PostgreSQL" || everywhere.Contains(s.Section))))
{
    await scenario.RunAsync();
}

return targets.Report() || !args.Contains("--check") ? 0 : 1;
