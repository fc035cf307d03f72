namespace Outbox;

/// <summary>
/// Decides the fate of a half message whose local transaction never reported back, as RocketMQ's
/// <c>checkLocalTransaction</c>. It runs in a DI scope of its own; register it with
/// <c>AddTransactionCheck&lt;TMessage, TCheck&gt;()</c>.
/// </summary>
/// <typeparam name="TMessage">The message type it checks.</typeparam>
public interface ITransactionCheck<in TMessage>
{
    /// <summary>
    /// Looks up whether the local transaction of <paramref name="message"/> committed.
    /// <see cref="LocalTransactionState.Unknown"/> or an exception asks again after <c>CheckInterval</c>.
    /// </summary>
    ValueTask<LocalTransactionState> CheckAsync(TMessage message, TransactionCheckContext context, CancellationToken cancellationToken);
}
