using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Transport;

namespace Outbox.Benchmarks;

/// <summary>
/// (5) Handling messages with the inbox against the same handler without it.
/// </summary>
internal sealed class InboxScenario(BenchEnvironment env) : Scenario
{
    public override string Section => "5";

    public override async Task RunAsync()
    {
        await InboxAsync(env.Quick ? 10_000 : 50_000, concurrency: 8);
    }

    private async Task InboxAsync(int messages, int concurrency)
    {
        await env.ResetAsync();
        using var host = env.BuildHost(new Dictionary<string, string?>(), o => o.AddConsumer<RecordOrderHandler>(c =>
        {
            c.Source = "orders.placed";
            c.Name = "bench";
        }));
        var consumers = host.Services.GetRequiredService<Outbox.Consumers.ConsumerHost>();
        var registration = host.Services.GetServices<Outbox.Consumers.ConsumerRegistration>().Single();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency };
        var serializer = host.Services.GetRequiredService<Outbox.Serialization.IMessageSerializer>();
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new OrderPlaced(1, "ada", 10m), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        List<TransportMessage> Batch(int count) => Enumerable.Range(0, count)
            .Select(_ => new TransportMessage(Guid.CreateVersion7(), "orders.placed", "OrderPlaced", null, body, "application/json", new Dictionary<string, string>(), DateTimeOffset.UtcNow))
            .ToList();

        // Without the inbox: the same handler, the body read by the same serializer, its changes saved in
        // a transaction the way the pipeline saves them (no savepoints): the difference is the inbox row alone.
        async Task WithoutInboxAsync(IReadOnlyList<TransportMessage> batch) => await Parallel.ForEachAsync(batch, parallel, async (message, ct) =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BenchContext>();
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var payload = (OrderPlaced)serializer.Deserialize(message.Body.Span, typeof(OrderPlaced));
            await scope.ServiceProvider.GetRequiredService<RecordOrderHandler>().HandleAsync(payload, null!, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        });

        async Task WithInboxAsync(IReadOnlyList<TransportMessage> batch) => await Parallel.ForEachAsync(batch, parallel, async (message, ct) =>
        {
            var outcome = (await consumers.ProcessAsync(registration, new BenchDelivery(message), ct)).Outcome;
            if (outcome.Result != Outbox.Consumers.InboxResult.Handled)
            {
                throw new InvalidOperationException($"Unexpected outcome {outcome.Result}: {outcome.Error}");
            }
        });

        // Five rounds, alternating, so that the tables' growth and checkpoints fall on both alike.
        const int rounds = 5;
        var withoutWatch = new Stopwatch();
        var withWatch = new Stopwatch();
        for (var round = 0; round < rounds; round++)
        {
            var plain = Batch(messages / rounds);
            withoutWatch.Start();
            await WithoutInboxAsync(plain);
            withoutWatch.Stop();

            var inboxed = Batch(messages / rounds);
            withWatch.Start();
            await WithInboxAsync(inboxed);
            withWatch.Stop();
        }

        Console.WriteLine();
        Console.WriteLine($"## 5. Consumer: {messages:N0} messages each way, {concurrency} at a time, with the inbox and without it (5 alternating rounds)");
        Console.WriteLine();
        Console.WriteLine("| variant | seconds | messages/s |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| handler in a transaction, no inbox | {withoutWatch.Elapsed.TotalSeconds:0.00} | {messages / withoutWatch.Elapsed.TotalSeconds:N0} |");
        Console.WriteLine($"| inbox pipeline (inbox row + handler, one transaction) | {withWatch.Elapsed.TotalSeconds:0.00} | {messages / withWatch.Elapsed.TotalSeconds:N0} |");
        Console.WriteLine();
        Console.WriteLine($"time ratio with/without inbox: **{withWatch.Elapsed.TotalSeconds / withoutWatch.Elapsed.TotalSeconds:0.00}** (target at most 1.3)");
        env.Targets.Record("inbox-ratio", withWatch.Elapsed.TotalSeconds / withoutWatch.Elapsed.TotalSeconds);
    }
}
