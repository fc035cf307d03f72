using Microsoft.Extensions.DependencyInjection;
using Outbox.Storage;
using Outbox.Transport;
using Xunit;

namespace Outbox.Testing;

/// <summary>What a store's <see cref="ISequenceLedger"/> must do, recording in the inbox's own transaction.</summary>
public abstract partial class StoreConformance
{
    [Fact]
    public async Task SequenceLedger_FindsTheFirstTheNextAGapALateArrivalAndAStepBack_AndListsWhatIsStillMissing()
    {
        Assert.Equal(new SequenceOutcome(SequenceVerdict.First, 0), await RecordAsync(1));
        Assert.Equal(new SequenceOutcome(SequenceVerdict.Next, 1), await RecordAsync(2));
        Assert.Equal(new SequenceOutcome(SequenceVerdict.Gap, 2, 3, 6), await RecordAsync(7));
        Assert.Equal(new SequenceOutcome(SequenceVerdict.Late, 7), await RecordAsync(4)); // splits 3–6 into 3 and 5–6
        Assert.Equal(new SequenceOutcome(SequenceVerdict.Late, 7), await RecordAsync(6));
        Assert.Equal(new SequenceOutcome(SequenceVerdict.OutOfOrder, 7), await RecordAsync(2));
        Assert.Equal(new SequenceOutcome(SequenceVerdict.OutOfOrder, 7), await RecordAsync(7));
        Assert.Equal(new SequenceOutcome(SequenceVerdict.First, 0), await RecordAsync(5, consumer: "audit")); // each consumer, producer and key on its own
        Assert.Equal(new SequenceOutcome(SequenceVerdict.First, 0), await RecordAsync(9, source: "billing"));

        var gaps = await _services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync("payments");
        Assert.Equal([(3L, 3L), (5L, 5L)], gaps.Select(g => (g.FirstMissing, g.LastMissing)));
        Assert.All(gaps, g => Assert.Equal(("orders", "k1"), (g.Source, g.Key)));

        await RecordAsync(3);
        await RecordAsync(5);
        Assert.Empty(await _services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync());
    }

    [Fact]
    public async Task SequenceLedger_RollsBackWithTheHandler()
    {
        await RecordAsync(1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => RecordAsync(5, fail: true));

        Assert.Empty(await _services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync());
        Assert.Equal(new SequenceOutcome(SequenceVerdict.Next, 1), await RecordAsync(2));
    }

    [Fact]
    public async Task ConsumerDeadLetter_CommitsWithWhatItsTransactionRecords_OrNeither()
    {
        await RecordAsync(1);
        Task Record(IServiceProvider services, long sequence, CancellationToken ct) =>
            Store.Sequences(services).RecordAsync("payments", "orders", "k1", sequence, Now, ct);
        var failing = new TransportMessage(Guid.NewGuid(), "orders.placed", "OrderPlaced", "k1", "{}"u8.ToArray(), "application/json", new Dictionary<string, string>(), Time.GetUtcNow());
        var dead = failing with { MessageId = Guid.NewGuid() };

        await Assert.ThrowsAsync<InvalidOperationException>(() => Inbox.DeadLetterDeliveryAsync(
            failing, "payments", "max-deliveries", 5, "handler failed", Now, async (services, ct) =>
            {
                await Record(services, 4, ct);
                throw new InvalidOperationException("the recording failed");
            }, CancellationToken.None));
        Assert.Empty(await DeadLetters.ListAsync());
        Assert.Empty(await _services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync());

        await Inbox.DeadLetterDeliveryAsync(dead, "payments", "max-deliveries", 5, "handler failed", Now, (services, ct) => Record(services, 3, ct), CancellationToken.None);
        Assert.Equal(dead.MessageId, Assert.Single(await DeadLetters.ListAsync()).MessageId);
        Assert.Equal((2L, 2L), Assert.Single(await _services.GetRequiredService<IOutboxMonitor>().ListSequenceGapsAsync()) is var gap ? (gap.FirstMissing, gap.LastMissing) : default);
    }

    [Fact]
    public async Task Retention_DeletesTheNumbersOfIdleKeys_ButNotOfKeysWithNumbersMissing()
    {
        await RecordAsync(1, source: "idle");
        await RecordAsync(1, source: "gapped");
        await RecordAsync(3, source: "gapped");
        Time.Advance(TimeSpan.FromDays(8));
        await RecordAsync(1, source: "busy");

        Assert.Equal(1, await Retention.DeleteSequencesAsync(Now.AddDays(-7), 100, CancellationToken.None));

        Assert.Equal(new SequenceOutcome(SequenceVerdict.First, 0), await RecordAsync(5, source: "idle")); // checking starts again
        Assert.Equal(new SequenceOutcome(SequenceVerdict.Late, 3), await RecordAsync(2, source: "gapped")); // its gap was kept
        Assert.Equal(new SequenceOutcome(SequenceVerdict.Next, 1), await RecordAsync(2, source: "busy"));
    }

    /// <summary>Records a number as the inbox does: in the handler's transaction, with its inbox row.</summary>
    private async Task<SequenceOutcome> RecordAsync(long sequence, string consumer = "payments", string source = "orders", bool fail = false)
    {
        SequenceOutcome outcome = default;
        await Inbox.HandleOnceAsync(Guid.NewGuid(), consumer, async (services, ct) =>
        {
            outcome = await Store.Sequences(services).RecordAsync(consumer, source, "k1", sequence, Now, ct);
            if (fail)
            {
                throw new InvalidOperationException("the handler failed");
            }
        }, CancellationToken.None);
        return outcome;
    }
}
