using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Consumers;
using Outbox.Storage;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>Idempotent consumers on a real database; each provider's test project runs them all.</summary>
public abstract partial class ConsumerScenarios : DatabaseScenarios
{
    protected HandlerScript Script { get; } = new();

    protected LogCapture Logs { get; } = new();

    [Fact]
    public async Task SameMessageDeliveredThreeTimes_HasOneEffect()
    {
        var host = Host();
        var message = Message(new OrderPlaced(1, "ada"));

        var outcomes = new List<InboxResult>();
        var deliveries = Enumerable.Range(0, 3).Select(_ => new RecordedDelivery(message)).ToList();
        foreach (var delivery in deliveries)
        {
            outcomes.Add((await Process(host, delivery)).Result);
        }

        Assert.Equal([InboxResult.Handled, InboxResult.Duplicate, InboxResult.Duplicate], outcomes);
        Assert.All(deliveries, d => Assert.True(d.Acknowledged));
        Assert.Equal(1, Script.Calls);
        Assert.Equal(1, await host.CountOrdersAsync());

        // A duplicate is what the inbox is for: nothing about it is a warning, EF Core's own log included.
        Assert.Empty(Logs.AtLeast(LogLevel.Warning));
    }

    [Fact]
    public async Task ConcurrentDuplicateDeliveries_HaveOneEffect()
    {
        var host = Host();
        var message = Message(new OrderPlaced(2, "bob"));
        Script.During = _ => Task.Delay(50);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Process(host, new RecordedDelivery(message)))));

        Assert.Equal(1, outcomes.Count(o => o.Result == InboxResult.Handled));
        Assert.Equal(3, outcomes.Count(o => o.Result == InboxResult.Duplicate));
        Assert.Equal(1, await host.CountOrdersAsync());
    }

    [Fact]
    public async Task HandlerThrowsTwice_ThenSucceeds_OneEffect_WithRedeliveries()
    {
        var host = Host();
        Script.FailFirst = 2;
        var delivery = new RecordedDelivery(Message(new OrderPlaced(3, "cy")));

        Assert.Equal(InboxResult.Failed, (await Process(host, delivery)).Result);
        Assert.Equal((false, true), (delivery.Acknowledged, delivery.RedeliveredAfter > TimeSpan.Zero));
        delivery = delivery.Next();
        Assert.Equal(InboxResult.Failed, (await Process(host, delivery)).Result);
        delivery = delivery.Next();
        Assert.Equal(InboxResult.Handled, (await Process(host, delivery)).Result);

        Assert.True(delivery.Acknowledged);
        Assert.Equal(1, await host.CountOrdersAsync());
        Assert.Equal([1, 2, 3], Script.Contexts.Select(c => c.DeliveryAttempt));
    }

    [Fact]
    public async Task HandlerThrowsTwice_IsRetriedInProcess_AndHandledInTheFirstDelivery()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:Retry:MaxRetryAttempts"] = "2" });
        Script.FailFirst = 2;
        var delivery = new RecordedDelivery(Message(new OrderPlaced(30, "retried")));

        // The in-process retries wait on the fake clock: move it until the delivery is settled,
        // giving the database work in between the time it needs.
        var processing = Process(host, delivery);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!processing.IsCompleted && DateTime.UtcNow < deadline)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(processing, Task.Delay(5));
        }

        Assert.Equal(InboxResult.Handled, (await processing).Result);
        Assert.Equal((3, true, (TimeSpan?)null), (Script.Calls, delivery.Acknowledged, delivery.RedeliveredAfter));
        Assert.Equal(1, await host.CountOrdersAsync());
    }

    [Fact]
    public async Task HandlerAlwaysThrows_IsDeadLetteredAfterMaxDeliveries_AndRequeueDeliversItToThatConsumerAgain()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:MaxDeliveries"] = "3" });
        Script.FailFirst = int.MaxValue;
        var original = Message(new OrderPlaced(4, "dee"));
        var delivery = new RecordedDelivery(original);
        for (var i = 1; i < 3; i++)
        {
            await Process(host, delivery);
            Assert.NotNull(delivery.RedeliveredAfter);
            delivery = delivery.Next();
        }

        await Process(host, delivery);
        Assert.True(delivery.Acknowledged);
        var dead = Assert.Single(await host.DeadLetters.ListAsync());
        Assert.Equal((original.MessageId, "max-deliveries", 3), (dead.MessageId, dead.Reason, dead.Attempts));
        Assert.Equal("handler failure 3", dead.LastError);
        var row = await host.InScopeAsync((db, _) => db.Set<Outbox.EntityFrameworkCore.Storage.DeadLetterRecord>().SingleAsync());
        Assert.Equal((DeadLetterSources.Consumer, "payments"), (row.Source, row.ConsumerName));

        Script.FailFirst = 0;
        Assert.True(await host.DeadLetters.RequeueAsync(original.MessageId));
        await host.PollUntilIdleAsync();
        var resent = Assert.Single(host.Memory.Sent);
        Assert.Equal((original.MessageId, "payments"), (resent.MessageId, resent.Headers[TransportMessage.ConsumerHeader]));

        Assert.Equal(InboxResult.Handled, (await Process(host, new RecordedDelivery(resent))).Result);
        Assert.Equal(InboxResult.Duplicate, (await Process(host, new RecordedDelivery(resent), consumer: "audit")).Result);
        Assert.Equal(1, await host.CountOrdersAsync());
    }

    [Theory]
    [InlineData("OrderPlaced", "{not json", "malformed-message")]
    [InlineData("Unheard", "{}", "unknown-message-type")]
    [InlineData("OrderShipped", "{\"orderId\":1}", "unexpected-message-type")]
    public async Task MessageThatCanNeverBeHandled_IsDeadLetteredWithTheReason_AndAcknowledged(string type, string body, string reason)
    {
        var host = Host();
        var delivery = new RecordedDelivery(Message(new OrderPlaced(5, "x")) with { MessageType = type, Body = Encoding.UTF8.GetBytes(body) });

        await Process(host, delivery);

        Assert.True(delivery.Acknowledged);
        Assert.Null(delivery.RedeliveredAfter);
        Assert.Equal(0, Script.Calls);
        Assert.Equal(reason, Assert.Single(await host.DeadLetters.ListAsync()).Reason);
    }

    [Fact]
    public async Task MessagePublishedByTheHandler_IsSentOnlyWhenTheHandlerCommits()
    {
        var host = Host();
        Script.Publish = true;
        Script.FailAfterPublish = true;
        var delivery = new RecordedDelivery(Message(new OrderPlaced(6, "eve")));

        await Process(host, delivery);
        await host.DrainAsync();
        Assert.Empty(host.Memory.Sent);
        Assert.Empty(await host.RowsAsync());

        Script.FailAfterPublish = false;
        await Process(host, delivery.Next());
        await host.DrainAsync();

        Assert.Equal("OrderShipped", Assert.Single(host.Memory.Sent).MessageType);
        Assert.Equal(1, await host.CountOrdersAsync());
    }

    [Fact]
    public async Task SameKeyMessages_AreHandledInOrder_UnderConcurrency8()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:MaxConcurrency"] = "8" });
        var random = new Random(7);
        Script.During = _ => Task.Delay(random.Next(0, 3));
        await WhileConsumingAsync(host, async () =>
        {
            var batch = Enumerable.Range(0, 120).Select(i => Message(new OrderPlaced(i, "k"), key: $"key-{i % 6}")).ToList();
            await host.Memory.SendAsync(batch, CancellationToken.None);

            // Handlers run before their transactions commit: wait for the committed rows.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await host.CountOrdersAsync() < 120 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        });

        Assert.Equal(120, Script.Handled.Count);
        foreach (var key in Script.Handled.GroupBy(h => h.Key))
        {
            var order = key.Select(h => h.OrderId).ToList();
            Assert.Equal(order.Order(), order);
        }

        Assert.Equal(120, await host.CountOrdersAsync());
    }

    [Fact]
    public async Task PerKey_AFailingMessageHoldsBackOnlyItsKey_UntilItSucceeds_InPlace()
    {
        // One handler at a time: key b still flows, because a's head waits without holding it.
        var host = Host(new Dictionary<string, string?>
        {
            ["Outbox:Consumers:RedeliveryDelay"] = "00:00:10",
            ["Outbox:Consumers:MaxConcurrency"] = "1",
        });
        Script.FailOrder[1] = 2;
        await WhileConsumingAsync(host, async () =>
        {
            await host.Memory.SendAsync(
                [Message(new OrderPlaced(1, "a"), "a"), Message(new OrderPlaced(2, "a"), "a"), Message(new OrderPlaced(3, "a"), "a"),
                 Message(new OrderPlaced(11, "b"), "b"), Message(new OrderPlaced(12, "b"), "b")],
                CancellationToken.None);

            await WaitAsync(() => Script.Handled.Count(h => h.Key == "b") == 2 && host.Time.TimerCount == 1, "key b to be handled while a's head waits");
            Assert.DoesNotContain(Script.Handled, h => h.Key == "a");

            host.Time.Advance(TimeSpan.FromSeconds(12.1)); // 10 s, ±20%
            await WaitAsync(() => Script.Calls == 4 && host.Time.TimerCount == 1, "a's head to fail a second time and wait again");
            Assert.DoesNotContain(Script.Handled, h => h.Key == "a");

            host.Time.Advance(TimeSpan.FromSeconds(24.1)); // 20 s, ±20%
            await WaitForOrdersAsync(host, 5);
        });

        Assert.Equal([1L, 2, 3], Script.Handled.Where(h => h.Key == "a").Select(h => h.OrderId));
        Assert.Equal([1, 2, 3], Script.Contexts.Where(c => c.Key == "a" && c.MessageId == Script.Contexts.First(f => f.Key == "a").MessageId).Select(c => c.DeliveryAttempt));
        var failures = Logs.Entries.Where(e => e.EventId.Id == 15).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, f => Assert.IsType<InvalidOperationException>(f.Exception));
    }

    [Fact]
    public async Task OrderingNone_AFailingMessageGoesBackThroughTheTransport_AndItsKeyMovesOn()
    {
        var host = Host(new Dictionary<string, string?>
        {
            ["Outbox:Consumers:RedeliveryDelay"] = "00:00:10",
            ["Outbox:Consumers:Ordering"] = "None",
        });
        Script.FailOrder[1] = 1;
        await WhileConsumingAsync(host, async () =>
        {
            await host.Memory.SendAsync([Message(new OrderPlaced(1, "a"), "a"), Message(new OrderPlaced(2, "a"), "a")], CancellationToken.None);

            await WaitAsync(() => Script.Handled.Count == 1 && host.Time.TimerCount == 1, "the second message to be handled while the first waits");
            host.Time.Advance(TimeSpan.FromSeconds(12.1));
            await WaitForOrdersAsync(host, 2);
        });

        Assert.Equal([2L, 1], Script.Handled.Select(h => h.OrderId));
    }

    [Fact]
    public async Task RunningConsumer_RedeliversAFailingMessageAfterItsBackoff_ThroughTheTransport()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:RedeliveryDelay"] = "00:00:10" });
        Script.FailFirst = 2;
        await WhileConsumingAsync(host, async () =>
        {
            await host.Memory.SendAsync([Message(new OrderPlaced(40, "redelivered"))], CancellationToken.None);

            // Once the failed delivery is rolled back, its redelivery waits on the clock: 10 s, ±20%.
            await WaitAsync(() => Script.Calls == 1 && host.Time.TimerCount == 1, "the first delivery to be set to come back");
            host.Time.Advance(TimeSpan.FromSeconds(7.9));
            await Task.Delay(50);
            Assert.Equal(1, Script.Calls);
            host.Time.Advance(TimeSpan.FromSeconds(4.2));

            // The third after a doubled backoff (20 s, ±20%).
            await WaitAsync(() => Script.Calls == 2 && host.Time.TimerCount == 1, "the second delivery to be set to come back");
            host.Time.Advance(TimeSpan.FromSeconds(24.1));

            // The handler has run before its transaction commits: wait for the committed row.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (await host.CountOrdersAsync() == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "Gave up waiting for the third delivery to commit.");
                await Task.Delay(10);
            }
        });

        Assert.Equal([1, 2, 3], Script.Contexts.Select(c => c.DeliveryAttempt));
        Assert.Equal(1, await host.CountOrdersAsync());
    }

    [Fact]
    public async Task Retention_DeletesOnlyInboxRowsOlderThanTheDedupeWindow()
    {
        var host = Host();
        var old = Message(new OrderPlaced(7, "old"));
        await Process(host, new RecordedDelivery(old));
        host.Time.Advance(TimeSpan.FromDays(6));
        var recent = Message(new OrderPlaced(8, "recent"));
        await Process(host, new RecordedDelivery(recent));
        host.Time.Advance(TimeSpan.FromDays(1.5));

        await host.Maintenance.CleanUpAsync(CancellationToken.None);

        // The old message is no longer remembered (handled again); the recent one still is.
        Assert.Equal(InboxResult.Handled, (await Process(host, new RecordedDelivery(old))).Result);
        Assert.Equal(InboxResult.Duplicate, (await Process(host, new RecordedDelivery(recent))).Result);
    }

    [Fact]
    public async Task HandlerSeesTheMessageContext()
    {
        var host = Host();
        var message = Message(new OrderPlaced(9, "ctx"), key: "k9") with
        {
            Headers = new Dictionary<string, string> { ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ["tenant"] = "t1" },
        };

        await Process(host, new RecordedDelivery(message, attempt: 2));

        var context = Assert.Single(Script.Contexts);
        Assert.Equal((message.MessageId, "OrderPlaced", "k9", 2, "orders.placed", "payments"), (context.MessageId, context.MessageType, context.Key, context.DeliveryAttempt, context.Source, context.Consumer));
        Assert.Equal("t1", context.Headers["tenant"]);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", context.TraceContext.TraceId.ToString());
    }

    protected OutboxTestHost Host(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["Outbox:Consumers:Retry:MaxRetryAttempts"] = "0" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var host = OutboxTestHost.Create(
            Database,
            settings: all,
            services: s => s.AddSingleton(Script).AddSingleton<ILoggerProvider>(Logs),
            outbox: o => o
                .AddConsumer<OrderPlacedHandler>(c =>
                {
                    c.Source = "orders.placed";
                    c.Name = "payments";
                })
                .AddConsumer<AuditHandler>(c =>
                {
                    c.Source = "orders.placed";
                    c.Name = "audit";
                }));
        return Track(host);
    }

    protected static TransportMessage Message(OrderPlaced body, string? key = null) => new(
        Guid.CreateVersion7(),
        "orders.placed",
        "OrderPlaced",
        key,
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)),
        "application/json",
        new Dictionary<string, string>(),
        DateTimeOffset.UtcNow);

    private static async Task<InboxOutcome> Process(OutboxTestHost host, RecordedDelivery delivery, string consumer = "payments")
    {
        var registration = host.Services.GetServices<ConsumerRegistration>().Single(c => c.Name == consumer);
        return (await host.Services.GetRequiredService<ConsumerHost>().ProcessAsync(registration, delivery, CancellationToken.None)).Outcome;
    }

    /// <summary>Runs the host's consumers, once they read the in-memory transport, while <paramref name="during"/> runs; then stops them.</summary>
    private static async Task WhileConsumingAsync(OutboxTestHost host, Func<Task> during)
    {
        var consumers = host.Services.GetRequiredService<ConsumerHost>();
        await consumers.StartAsync(CancellationToken.None);
        try
        {
            await WaitForSubscriptionAsync(host);
            await during();
        }
        finally
        {
            await consumers.StopAsync(CancellationToken.None);
        }
    }

    // Handlers run before their transactions commit: wait for the committed rows.
    private static async Task WaitForOrdersAsync(OutboxTestHost host, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await host.CountOrdersAsync() < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Gave up waiting for {count} committed orders.");
            await Task.Delay(10);
        }
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Gave up waiting for {what}.");
            await Task.Delay(10);
        }
    }

    private static async Task WaitForSubscriptionAsync(OutboxTestHost host)
    {
        // The consumers subscribe as they start; a probe to another destination shows the transport is live.
        for (var i = 0; i < 200 && !host.Memory.HasSubscribers("orders.placed"); i++)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>A second consumer of the same source, to show each consumer has its own inbox.</summary>
    public sealed class AuditHandler : IMessageHandler<OrderPlaced>
    {
        public ValueTask HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
