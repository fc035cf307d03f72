using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.Kafka.Tests;

/// <summary>
/// Hostile and foreign records produced by kcat, a Kafka client the outbox shares no code with, each followed
/// on key "k" of the one partition by a good record: every good record is handled, every bad one ends as a
/// dead letter with a reason naming its fault or is handled once, and the committed offset reaches the end.
/// </summary>
public sealed class HostileInputTests : KafkaScenarios
{
    [Fact]
    public async Task HostileCorpus_EachBadRecordEndsWhereItShould_TheGoodOneBehindItIsHandled_AndTheOffsetReachesTheEnd()
    {
        Cluster.CreateTopic(Topic, 1);
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:StrictBodies"] = "true" }, ConsumerName);
        await Consumers(host).StartAsync(CancellationToken.None);
        var cases = Cases();
        var watch = Stopwatch.StartNew();
        var records = 0;
        for (var i = 0; i < cases.Length; i++)
        {
            foreach (var (input, arguments) in cases[i].Records)
            {
                await ProduceAsync(input, arguments);
                records++;
            }

            await ProduceAsync(Encoding.UTF8.GetBytes(Order(i, "good")), ["-k", "k", "-H", $"message-id={Guid.NewGuid()}", "-H", "message-type=OrderPlaced"]);
            records++;
        }

        var expectedDead = cases.Count(c => c.Reason is not null);
        await WaitAsync(
            () => GoodHandledAsync(host).Result == cases.Length && host.DeadLetters.ListAsync().Result.Count == expectedDead && CommittedOffsets(1) == records,
            "every good record handled, every bad one dead-lettered and the offset at the end");
        var elapsed = watch.Elapsed;
        await Consumers(host).StopAsync(CancellationToken.None);

        var dead = await host.DeadLetters.ListAsync();
        foreach (var c in cases)
        {
            if (c.Reason is not null)
            {
                var letter = Assert.Single(dead, d => d.MessageId == c.Id);
                Assert.True(letter.Reason == c.Reason, $"{c.Name}: reason {letter.Reason}, expected {c.Reason} ({letter.LastError})");
                Assert.True(letter.LastError?.Contains(c.Error!, StringComparison.Ordinal) == true, $"{c.Name}: '{letter.LastError}' does not say '{c.Error}'");
                Assert.True(letter.Key is null || letter.Key.Length <= 256, $"{c.Name}: the stored key is {letter.Key?.Length} characters long");
                Assert.DoesNotContain('\0', letter.Key ?? "");
            }
            else
            {
                Assert.True(await HandledCountAsync(host, c.Order) == 1, $"{c.Name}: order {c.Order} handled {await HandledCountAsync(host, c.Order)} time(s), expected once");
            }
        }

        Assert.Equal(records, CommittedOffsets(1));
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"The corpus took {elapsed}.");
    }

    private static HostileCase[] Cases()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        string[] Typed(Guid id, params string[] more) => ["-H", $"message-id={id}", "-H", "message-type=OrderPlaced", .. more];
        byte[] Keyed(byte[] key, string body) => [.. key, (byte)'|', .. Encoding.UTF8.GetBytes(body)];
        return
        [
            new("over-long key", ids[0], [(Bytes(Order(1000)), Typed(ids[0], "-k", new string('k', 300)))], "invalid-message", "the key is 300 characters long; at most 256"),
            new("NUL in the key", ids[1], [(Keyed("a\0b"u8.ToArray(), Order(1001)), Typed(ids[1], "-K", "|"))], "invalid-message", "the key contains a NUL character"),
            new("key not UTF-8", ids[2], [(Keyed([0xff, 0xfe, 0x41], Order(1002)), Typed(ids[2], "-K", "|"))], "invalid-message", "the record key is not valid UTF-8"),
            new("message-id twice", ids[3], [(Bytes(Order(1003)), Typed(ids[3], "-k", "k", "-H", $"message-id={Guid.NewGuid()}"))], "invalid-message", "the message-id header appears more than once"),
            new("over-long type", ids[4], [(Bytes(Order(1004)), ["-k", "k", "-H", $"message-id={ids[4]}", "-H", $"message-type={new string('T', 300)}"])], "invalid-message", "the message type is 300 characters long"),
            new("someone else's consumer header", ids[5], [(Bytes(Order(1005)), Typed(ids[5], "-k", "k", "-H", "outbox-consumer=someone-else"))], Order: 1005),
            new("no message id", Guid.Empty, [(Bytes(Order(1006)), ["-k", "k", "-H", "message-type=OrderPlaced"])], Order: 1006),
            new("malformed body", ids[7], [(Bytes("not json"), Typed(ids[7], "-k", "k"))], "malformed-message", "cannot be read as OrderPlaced"),
            new("wrong-shaped body", ids[8], [(Bytes("""{"foo":1}"""), Typed(ids[8], "-k", "k"))], "malformed-message", "cannot be read as OrderPlaced"),
            new("1 MB body", ids[9], [(Bytes(Order(1009, new string('c', 1_000_000))), Typed(ids[9], "-k", "k"))], Order: 1009),
            // librdkafka's mock cluster keeps about the last 10 MB of a partition: a 10 MB record would push
            // the records before it out of the log (RabbitMQ's corpus sends one).
            new("2 MB body", ids[10], [(Bytes(Order(1010, new string('c', 2_000_000))), Typed(ids[10], "-k", "k"))], "invalid-message", "more than MaxPayloadBytes (1048576)"),
        ];
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Order(long id, string customer = "bad") =>
        JsonSerializer.Serialize(new OrderPlaced(id, customer), new JsonSerializerOptions(JsonSerializerDefaults.Web));

    // One record from standard input (no line delimiter: a body may hold anything), as large as 20 MB.
    private Task ProduceAsync(byte[] input, string[] arguments) =>
        Kcat.RunAsync(Cluster.BootstrapServers, input, ["-P", "-t", Topic, "-D", "\\x1e\\x1f", "-X", "message.max.bytes=20000000", .. arguments]);

    private Task<int> GoodHandledAsync(OutboxTestHost host) =>
        host.InScopeAsync((db, _) => db.Orders.CountAsync(o => o.Customer == $"handled by {ConsumerName}" && o.Total < 1000));

    private Task<int> HandledCountAsync(OutboxTestHost host, long? order) =>
        host.InScopeAsync((db, _) => db.Orders.CountAsync(o => o.Customer == $"handled by {ConsumerName}" && o.Total == order));

    /// <summary>One kind of bad input: the records that carry it (kcat's input and arguments), and where they must end.</summary>
    private sealed record HostileCase(string Name, Guid Id, (byte[] Input, string[] Arguments)[] Records, string? Reason = null, string? Error = null, long? Order = null);
}
