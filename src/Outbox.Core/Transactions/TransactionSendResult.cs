namespace Outbox;

/// <summary>The result of <see cref="IOutbox.SendInTransactionAsync{TMessage}"/>.</summary>
/// <param name="MessageId">The message id.</param>
/// <param name="LocalState">What the local transaction returned; <see cref="LocalTransactionState.Unknown"/> when it threw.</param>
/// <param name="Outcome">Where the message stands now.</param>
/// <param name="Conflict">
/// <see langword="true"/> when the local decision came after a check callback had already decided
/// the other way: the check's decision stands, and <paramref name="Outcome"/> says what it was.
/// </param>
public sealed record TransactionSendResult(Guid MessageId, LocalTransactionState LocalState, TransactionOutcome Outcome, bool Conflict);
