using System.Collections.Concurrent;
using Outbox.Transactions;

namespace Outbox.Testing;

/// <summary>What the test's check callback answers, and a record of every call it got.</summary>
public sealed class CheckScript
{
    private readonly ConcurrentDictionary<Guid, int> _calls = new();

    /// <summary>The answer for a message; the default is Unknown.</summary>
    public Func<PaymentRequested, TransactionCheckContext, ValueTask<LocalTransactionState>> Answer { get; set; } =
        (_, _) => ValueTask.FromResult(LocalTransactionState.Unknown);

    public ConcurrentQueue<TransactionCheckContext> Contexts { get; } = new();

    public int CallsFor(Guid messageId) => _calls.GetValueOrDefault(messageId);

    public int TotalCalls => _calls.Values.Sum();

    public IReadOnlyDictionary<Guid, int> Calls => _calls;

    internal ValueTask<LocalTransactionState> CheckAsync(PaymentRequested message, TransactionCheckContext context)
    {
        _calls.AddOrUpdate(context.MessageId, 1, (_, n) => n + 1);
        Contexts.Enqueue(context);
        return Answer(message, context);
    }
}

/// <summary>The check callback the tests register: it does what the <see cref="CheckScript"/> says.</summary>
public sealed class ScriptedPaymentCheck(CheckScript script) : ITransactionCheck<PaymentRequested>
{
    public ValueTask<LocalTransactionState> CheckAsync(PaymentRequested message, TransactionCheckContext context, CancellationToken cancellationToken) =>
        script.CheckAsync(message, context);
}
