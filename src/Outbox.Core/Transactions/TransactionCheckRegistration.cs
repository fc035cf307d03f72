namespace Outbox.Transactions;

/// <summary>A check callback registered with <c>AddTransactionCheck</c>: its message type and how to call it.</summary>
internal sealed record TransactionCheckRegistration(
    Type MessageType,
    Func<IServiceProvider, object, TransactionCheckContext, CancellationToken, ValueTask<LocalTransactionState>> InvokeAsync);
