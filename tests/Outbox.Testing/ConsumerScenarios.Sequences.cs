using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Consumers;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>A consumer checking the sequence numbers of what it handles.</summary>
public abstract partial class ConsumerScenarios
{
    // A producer of each test's own, so that the measurements of tests running at once stay apart.
    private readonly string _producer = $"orders-{Guid.NewGuid():N}";

    [Fact]
    public async Task CheckSequence_ReportsAGapOnce_ALateArrivalAsNoLongerMissing_AndAStepBack_ButNotADuplicateOrAMessageWithoutNumbers()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:CheckSequence"] = "true" });
        using var measured = new SequenceMeasurements(_producer);
        var second = Numbered(2);

        foreach (var message in new[] { Numbered(1), second, second, Numbered(4), Message(new OrderPlaced(50, "plain"), key: "order-1") })
        {
            Assert.NotEqual(InboxResult.Failed, (await Process(host, new RecordedDelivery(message))).Result);
        }

        Assert.Equal([$"Warning Outbox.Consumers.ConsumerHost: Consumer payments is missing messages 3 to 3 of key order-1 from {_producer}: it received 4 after 2."], Logs.AtLeast(LogLevel.Warning));
        var monitor = host.Services.GetRequiredService<IOutboxMonitor>();
        Assert.Equal((3L, 3L), Assert.Single(await monitor.ListSequenceGapsAsync("payments")) is var gap ? (gap.FirstMissing, gap.LastMissing) : default);

        await Process(host, new RecordedDelivery(Numbered(3)));
        await Process(host, new RecordedDelivery(Numbered(2))); // the same number under another message id

        Assert.Contains(Logs.Entries, e => e.Message == $"Consumer payments received message 3 of key order-1 from {_producer} late: it is no longer missing.");
        Assert.Equal(
            $"Warning Outbox.Consumers.ConsumerHost: Consumer payments received message 2 of key order-1 from {_producer} out of order, after 4: a repeat with another message id, or a step backwards.",
            Logs.AtLeast(LogLevel.Warning)[^1]);
        Assert.Empty(await monitor.ListSequenceGapsAsync());
        Assert.Equal((1, 0, 1, 1), (measured.Gaps, measured.Missing, measured.Late, measured.OutOfOrder));
    }

    [Fact]
    public async Task CheckSequence_GoesOnAfterARestart_AndInAnotherInstance_FromWhatTheDatabaseRecorded()
    {
        var settings = new Dictionary<string, string?> { ["Outbox:Consumers:CheckSequence"] = "true" };
        using var measured = new SequenceMeasurements(_producer);
        var before = Host(settings);
        await Process(before, new RecordedDelivery(Numbered(1)));
        await Process(before, new RecordedDelivery(Numbered(2)));
        await before.DisposeAsync(); // the process ends

        var after = Host(settings);
        var other = Host(settings);
        await Process(after, new RecordedDelivery(Numbered(3)));
        await Process(other, new RecordedDelivery(Numbered(5)));
        await Process(after, new RecordedDelivery(Numbered(4)));

        Assert.Equal([$"Warning Outbox.Consumers.ConsumerHost: Consumer payments is missing messages 4 to 4 of key order-1 from {_producer}: it received 5 after 3."], Logs.AtLeast(LogLevel.Warning));
        Assert.Empty(await after.Services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync());
        Assert.Equal((1, 1, 0), (measured.Gaps, measured.Late, measured.OutOfOrder));
    }

    [Fact]
    public async Task WithoutCheckSequence_NumbersAreNotChecked()
    {
        var host = Host();

        await Process(host, new RecordedDelivery(Numbered(1)));
        await Process(host, new RecordedDelivery(Numbered(5)));

        Assert.Empty(Logs.AtLeast(LogLevel.Warning));
        Assert.Empty(await host.Services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync());
    }

    [Fact]
    public async Task CheckSequence_ADeadLetteredNumberCountsAsHandled_AndIsReported_AndComesBackRequeuedUnderItsNumber_NotOutOfOrder()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:CheckSequence"] = "true", ["Outbox:Consumers:MaxDeliveries"] = "1" });
        using var measured = new SequenceMeasurements(_producer);
        var second = Numbered(2);
        await Process(host, new RecordedDelivery(Numbered(1)));
        Script.FailOrder[102] = 1;

        await Process(host, new RecordedDelivery(second));
        await Process(host, new RecordedDelivery(Numbered(3)));

        var deadLettered = Assert.Single(Logs.AtLeast(LogLevel.Warning));
        Assert.Equal(
            $"Error Outbox.Consumers.ConsumerHost: Consumer payments set message {second.MessageId}, number 2 of key order-1 from {_producer}, aside in the dead-letter table " +
            "(max-deliveries, delivery 1); the sequence check counts it as handled: order 102 fails, 0 more time(s)",
            deadLettered);
        var monitor = host.Services.GetRequiredService<IOutboxMonitor>();
        Assert.Empty(await monitor.ListSequenceGapsAsync());
        Assert.Equal((0, 1), (measured.Gaps, measured.DeadLettered));

        Assert.True(await host.DeadLetters.RequeueAsync(second.MessageId));
        await host.PollUntilIdleAsync();
        var requeued = Assert.Single(host.Memory.Sent);
        Assert.Equal(("2", "payments"), (requeued.Headers[TransportMessage.SequenceHeader], requeued.TargetConsumer));

        Assert.Equal(InboxResult.Handled, (await Process(host, new RecordedDelivery(requeued))).Result);
        Assert.Equal([101L, 103, 102], Script.Handled.Select(h => h.OrderId));
        Assert.Single(Logs.AtLeast(LogLevel.Warning)); // the dead letter's, and no step backwards
        Assert.Equal((0, 0), (measured.Gaps, measured.OutOfOrder));
    }

    [Fact]
    public async Task CheckSequence_ADeadLetterAfterMissingNumbers_ReportsTheGap_AndClosesOneItself()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:CheckSequence"] = "true" });
        using var measured = new SequenceMeasurements(_producer);
        await Process(host, new RecordedDelivery(Numbered(1)));

        // Unreadable bodies: set aside at once, numbers counted all the same.
        await Process(host, new RecordedDelivery(Numbered(4) with { Body = "{not json"u8.ToArray() }));
        await Process(host, new RecordedDelivery(Numbered(2) with { Body = "{not json"u8.ToArray() }));

        Assert.Contains($"Warning Outbox.Consumers.ConsumerHost: Consumer payments is missing messages 2 to 3 of key order-1 from {_producer}: it received 4 after 1.", Logs.AtLeast(LogLevel.Warning));
        var gap = Assert.Single(await host.Services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync());
        Assert.Equal((3L, 3L), (gap.FirstMissing, gap.LastMissing));
        Assert.Equal((1, 1, 1, 2), (measured.Gaps, measured.Missing, measured.Late, measured.DeadLettered));
        Assert.Equal(2, (await host.DeadLetters.ListAsync()).Count);
    }

    [Fact]
    public async Task OnSequenceGapHold_HoldsAMessageAfterMissingNumbers_UntilTheyAreHandled()
    {
        var host = Host(new Dictionary<string, string?> { ["Outbox:Consumers:CheckSequence"] = "true", ["Outbox:Consumers:OnSequenceGap"] = "Hold" });
        using var measured = new SequenceMeasurements(_producer);
        var third = new RecordedDelivery(Numbered(3));
        await Process(host, new RecordedDelivery(Numbered(1)));

        var held = await Attempt(host, third);
        Assert.Equal((InboxResult.Held, TimeSpan.FromMilliseconds(100)), (held.Outcome.Result, held.RetryAfter));
        Assert.False(third.Acknowledged);
        host.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((InboxResult.Held, TimeSpan.FromSeconds(1)), ((held = await Attempt(host, third)).Outcome.Result, held.RetryAfter));

        await Process(host, new RecordedDelivery(Numbered(2))); // handled by another instance, say
        Assert.Equal(InboxResult.Handled, (await Attempt(host, third)).Outcome.Result);

        Assert.Equal([101L, 102, 103], Script.Handled.Select(h => h.OrderId));
        Assert.Equal(
            [$"Information Outbox.Consumers.ConsumerHost: Consumer payments holds message 3 of key order-1 from {_producer} until it has handled 2 to 2, for at most 00:00:30."],
            Logs.AtLeast(LogLevel.Information).Where(l => l.Contains("holds", StringComparison.Ordinal)));
        Assert.Empty(Logs.AtLeast(LogLevel.Warning));
        Assert.Empty(await host.Services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync());
        Assert.Equal((1, 0, 0), (measured.Held, measured.Gaps, measured.Missing));
    }

    [Fact]
    public async Task OnSequenceGapHold_AMessageWhoseHoldTimedOut_IsNotHeldAgain_WhenItsHandlerFailsAndItIsTriedAgain()
    {
        var host = Host(new Dictionary<string, string?>
        {
            ["Outbox:Consumers:CheckSequence"] = "true",
            ["Outbox:Consumers:OnSequenceGap"] = "Hold",
            ["Outbox:Consumers:SequenceHoldTimeout"] = "00:00:10",
        });
        var third = new RecordedDelivery(Numbered(3));
        await Process(host, new RecordedDelivery(Numbered(1)));
        Script.FailOrder[103] = 1;

        Assert.Equal(InboxResult.Held, (await Attempt(host, third)).Outcome.Result);
        host.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(InboxResult.Failed, (await Attempt(host, third)).Outcome.Result);
        Assert.Equal(InboxResult.Handled, (await Attempt(host, third.Next())).Outcome.Result);

        Assert.Equal([101L, 103], Script.Handled.Select(h => h.OrderId));
    }

    [Fact]
    public async Task OnSequenceGapHold_RunningConsumer_HandlesTheHeldMessage_AndReportsTheGap_OnceTheTimeoutHasPassed_WithoutCountingAnAttempt()
    {
        var host = Host(new Dictionary<string, string?>
        {
            ["Outbox:Consumers:Endpoints:payments:CheckSequence"] = "true",
            ["Outbox:Consumers:Endpoints:payments:OnSequenceGap"] = "Hold",
            ["Outbox:Consumers:SequenceHoldTimeout"] = "00:00:10",
        });
        using var measured = new SequenceMeasurements(_producer);
        await WhileConsumingAsync(host, async () =>
        {
            await host.Memory.SendAsync([Numbered(1), Numbered(3), Numbered(4)], CancellationToken.None);
            await WaitAsync(() => Script.Handled.Count == 1 && host.Time.TimerCount == 1, "message 3 to be held");

            // Message 4 waits behind it, in its key's order, until the hold's 10 s have passed.
            for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(9.5); waited += TimeSpan.FromSeconds(0.5))
            {
                Assert.Single(Script.Handled);
                host.Time.Advance(TimeSpan.FromSeconds(0.5));
                await WaitAsync(() => host.Time.TimerCount == 1 || Script.Handled.Count > 1, "message 3 to be looked at again");
            }

            // The 10 s have passed. A look that began before the clock last moved (a slow query in a loaded run)
            // arms its timer from the moved clock, past 10 s: the clock moves on until message 3 is taken.
            for (var more = 0; more < 10 && Script.Handled.Count < 3; more++)
            {
                host.Time.Advance(TimeSpan.FromSeconds(0.5));
                await WaitAsync(() => host.Time.TimerCount == 1 || Script.Handled.Count == 3, "message 3 to be taken or looked at again");
            }

            await WaitForOrdersAsync(host, 3);
        });

        Assert.Equal([101L, 103, 104], Script.Handled.Select(h => h.OrderId));
        Assert.Equal([$"Warning Outbox.Consumers.ConsumerHost: Consumer payments is missing messages 2 to 2 of key order-1 from {_producer}: it received 3 after 1."], Logs.AtLeast(LogLevel.Warning));
        Assert.Equal((1, 1, 1), (measured.Held, measured.Gaps, measured.Missing));
        Assert.All(Script.Contexts, c => Assert.Equal(1, c.DeliveryAttempt));
    }

    [Fact]
    public async Task OnSequenceGapHold_WithOrderingNone_TheKeyMovesOn_SoTheMissingNumberArrivingBehindClosesTheGap()
    {
        var host = Host(new Dictionary<string, string?>
        {
            ["Outbox:Consumers:Endpoints:payments:CheckSequence"] = "true",
            ["Outbox:Consumers:Endpoints:payments:OnSequenceGap"] = "Hold",
            ["Outbox:Consumers:Endpoints:payments:Ordering"] = "None",
        });
        using var measured = new SequenceMeasurements(_producer);
        await WhileConsumingAsync(host, async () =>
        {
            await host.Memory.SendAsync([Numbered(1)], CancellationToken.None);
            await WaitForOrdersAsync(host, 1);
            await host.Memory.SendAsync([Numbered(3)], CancellationToken.None);
            await WaitAsync(() => host.Time.TimerCount == 1, "message 3 to be held");
            await host.Memory.SendAsync([Numbered(2)], CancellationToken.None);
            await WaitForOrdersAsync(host, 2);

            host.Time.Advance(TimeSpan.FromMilliseconds(100));
            await WaitForOrdersAsync(host, 3);
        });

        Assert.Equal([101L, 102, 103], Script.Handled.Select(h => h.OrderId));
        Assert.Empty(Logs.AtLeast(LogLevel.Warning));
        Assert.Equal((1, 0), (measured.Held, measured.Gaps));
    }

    private TransportMessage Numbered(long sequence) => Message(new OrderPlaced(100 + sequence, "ada"), key: "order-1") with
    {
        Headers = new Dictionary<string, string> { [TransportMessage.SequenceHeader] = $"{sequence}", [TransportMessage.SourceHeader] = _producer },
    };

    private static Task<Processed> Attempt(OutboxTestHost host, RecordedDelivery delivery)
    {
        var registration = host.Services.GetServices<ConsumerRegistration>().Single(c => c.Name == "payments");
        return host.Services.GetRequiredService<ConsumerHost>().ProcessAsync(registration, delivery, CancellationToken.None);
    }
}
