using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.RabbitMQ.Tests;

/// <summary>
/// Hostile and foreign messages published by pika (Python, Debian's python3-pika), a client that shares no
/// code with the outbox, each followed on key "k" by a good message: every good message is handled, every
/// bad one ends as a dead letter with a reason naming its fault or is handled once, and nothing stalls.
/// </summary>
public sealed class HostileInputTests : RabbitMQScenarios
{
    private readonly string _consumer = $"payments-{Guid.NewGuid():N}";

    [Fact]
    public async Task HostileCorpus_EachBadMessageEndsWhereItShould_AndTheGoodOneBehindItIsHandled()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:StrictBodies"] = "true" }, _consumer);
        await Consumers(host).StartAsync(CancellationToken.None);
        var cases = Cases();
        var messages = new List<object>();
        for (var i = 0; i < cases.Length; i++)
        {
            messages.AddRange(cases[i].Messages);
            messages.Add(Message(Guid.NewGuid().ToString(), "OrderPlaced", Order(i, "good"), ("outbox-key", S("k"))));
        }

        var watch = Stopwatch.StartNew();
        await PublishAsync(messages);
        var expectedDead = cases.Count(c => c.Reason is not null);
        await WaitAsync(
            async () => await GoodHandledAsync(host) == cases.Length && (await host.DeadLetters.ListAsync()).Count == expectedDead
                && await HandledCountAsync(host, 1012) == 1,
            "every good message handled and every bad one dead-lettered");
        var elapsed = watch.Elapsed;
        await Consumers(host).StopAsync(CancellationToken.None);

        var dead = (await host.DeadLetters.ListAsync()).ToDictionary(d => d.MessageId);
        foreach (var c in cases)
        {
            if (c.Reason is not null)
            {
                var letter = Assert.Single(dead.Values, d => d.MessageId == c.Id);
                Assert.True(letter.Reason == c.Reason, $"{c.Name}: reason {letter.Reason}, expected {c.Reason} ({letter.LastError})");
                Assert.True(letter.LastError?.Contains(c.Error!, StringComparison.Ordinal) == true, $"{c.Name}: '{letter.LastError}' does not say '{c.Error}'");
                Assert.True(letter.Key is null || letter.Key.Length <= 256, $"{c.Name}: the stored key is {letter.Key?.Length} characters long");
                Assert.DoesNotContain('\0', letter.Key ?? "");
                Assert.DoesNotContain('\0', letter.MessageType);
            }
            else
            {
                Assert.True(await HandledCountAsync(host, c.Order) == 1, $"{c.Name}: order {c.Order} handled {await HandledCountAsync(host, c.Order)} time(s), expected once");
                if (c.Id != Guid.Empty)
                {
                    Assert.Equal(1, Assert.Single(Script.Contexts, x => x.MessageId == c.Id).DeliveryAttempt);
                }
            }
        }

        Assert.Equal(0u, await Broker.CountAsync(_consumer));
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"The corpus took {elapsed}.");
    }

    private HostileCase[] Cases()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        var idless = Message(null, "OrderPlaced", Order(1012, "no id"), ("outbox-key", S("k2")));
        return
        [
            new("over-long key", ids[0], [Message($"{ids[0]}", "OrderPlaced", Order(1000), ("outbox-key", S(new string('k', 300))))], "invalid-message", "the key is 300 characters long; at most 256"),
            new("NUL in the key", ids[1], [Message($"{ids[1]}", "OrderPlaced", Order(1001), ("outbox-key", S("a\0b")))], "invalid-message", "the key contains a NUL character"),
            new("NUL in the type", ids[2], [Message($"{ids[2]}", "Order\0Placed", Order(1002), ("outbox-key", S("k")))], "invalid-message", "the message type contains a NUL character"),
            new("binary key", ids[3], [Message($"{ids[3]}", "OrderPlaced", Order(1003), ("outbox-key", new { bytes = Convert.ToBase64String("k"u8) }))], "invalid-message", "the outbox-key header is a byte array, not text"),
            new("table key", ids[4], [Message($"{ids[4]}", "OrderPlaced", Order(1004), ("outbox-key", new { table = new { a = S("k") } }))], "invalid-message", "the outbox-key header is a table, not text"),
            new("conflicting message-id header", ids[5], [Message($"{ids[5]}", "OrderPlaced", Order(1005), ("outbox-key", S("k")), ("message-id", S("another-id")))], "invalid-message", "the message-id header ('another-id') differs"),
            new("negative attempt", ids[6], [Message($"{ids[6]}", "OrderPlaced", Order(1006), ("outbox-key", S("k")), ("outbox-attempt", new { @int = -1_000_000 }))], Order: 1006),
            new("huge attempt", ids[7], [Message($"{ids[7]}", "OrderPlaced", Order(1007), ("outbox-key", S("k")), ("outbox-attempt", new { @int = 100_000 }))], Order: 1007),
            new("someone else's consumer header", ids[8], [Message($"{ids[8]}", "OrderPlaced", Order(1008), ("outbox-key", S("k")), ("outbox-consumer", S("someone-else")))], Order: 1008),
            new("long id that is no GUID", Outbox.Transport.MessageFields.IdOf(new string('x', 255)), [Message(new string('x', 255), "OrderPlaced", Order(1009), ("outbox-key", S("k")))], Order: 1009),
            new("malformed body", ids[10], [Message($"{ids[10]}", "OrderPlaced", "not json"u8.ToArray(), ("outbox-key", S("k")))], "malformed-message", "cannot be read as OrderPlaced"),
            new("wrong-shaped body", ids[11], [Message($"{ids[11]}", "OrderPlaced", """{"foo":1}"""u8.ToArray(), ("outbox-key", S("k")))], "malformed-message", "cannot be read as OrderPlaced"),
            new("id-less message delivered twice", Guid.Empty, [idless, idless], Order: 1012),
            new("1 MB body", ids[13], [Message($"{ids[13]}", "OrderPlaced", Order(1013, new string('c', 1_000_000)), ("outbox-key", S("k")))], Order: 1013),
            new("10 MB body", ids[14], [Message($"{ids[14]}", "OrderPlaced", Order(1014, new string('c', 10_000_000)), ("outbox-key", S("k")))], "invalid-message", "more than MaxPayloadBytes (1048576)"),
        ];
    }

    private static object S(string text) => new { s = text };

    private static byte[] Order(long id, string customer = "bad") =>
        JsonSerializer.SerializeToUtf8Bytes(new OrderPlaced(id, customer), new JsonSerializerOptions(JsonSerializerDefaults.Web));

    private object Message(string? id, string type, byte[] body, params (string Name, object Value)[] headers) => new Dictionary<string, object?>
    {
        ["exchange"] = Exchange,
        ["routing_key"] = "orders.placed",
        ["message_id"] = id,
        ["type"] = type,
        ["content_type"] = "application/json",
        ["headers"] = headers.ToDictionary(h => h.Name, h => h.Value),
        ["body"] = Convert.ToBase64String(body),
    };

    private async Task PublishAsync(List<object> messages)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "foreign_publish.py")])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start: run eng/test.sh, which installs it with python3-pika.");
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(new { uri = Broker.Uri, messages }));
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"foreign_publish.py exited with {process.ExitCode}: {await error}");
    }

    private Task<int> GoodHandledAsync(OutboxTestHost host) =>
        host.InScopeAsync((db, _) => db.Orders.CountAsync(o => o.Customer == $"handled by {_consumer}" && o.Total < 1000));

    private Task<int> HandledCountAsync(OutboxTestHost host, long? order) =>
        host.InScopeAsync((db, _) => db.Orders.CountAsync(o => o.Customer == $"handled by {_consumer}" && o.Total == order));

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"Gave up waiting for {what}.");
            await Task.Delay(100);
        }
    }

    /// <summary>One kind of bad input: the messages that carry it, and where they must end (a dead letter with this reason and error, or handled once as <see cref="Order"/>).</summary>
    private sealed record HostileCase(string Name, Guid Id, object[] Messages, string? Reason = null, string? Error = null, long? Order = null);
}
