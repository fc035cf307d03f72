using Outbox.Transactions;

namespace Outbox.Benchmarks;

public sealed record PaymentRequested(long OrderId, decimal Amount);

/// <summary>A check that answers at once, so the benchmark measures the job, not the application's lookup.</summary>
public sealed class CommitCheck : ITransactionCheck<PaymentRequested>
{
    public ValueTask<LocalTransactionState> CheckAsync(PaymentRequested message, TransactionCheckContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(LocalTransactionState.Commit);
}
