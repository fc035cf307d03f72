using Microsoft.Extensions.Logging;
using Outbox.Dispatching;
using Outbox.Publishing;
using Outbox.Storage;
using Outbox.Telemetry;

namespace Outbox.Transactions;

/// <summary>Half messages: prepare, commit, roll back, and the send-then-run-local-transaction flow.</summary>
internal sealed class TransactionalMessages(
    IOutboxStore store,
    OutboxMessageFactory factory,
    TransactionChecks checks,
    DispatchSignal signal,
    TimeProvider timeProvider,
    ILogger<TransactionalMessages> logger)
{
    public async ValueTask<PreparedMessage> PrepareAsync(object message, PublishOptions? options, CancellationToken cancellationToken)
    {
        var type = message.GetType();
        if (!checks.Has(type))
        {
            throw new OutboxException(
                $"No check callback is registered for {type.Name}, so a half message of it could wait forever: " +
                $"register one with AddOutbox(…).AddTransactionCheck<{type.Name}, TCheck>().");
        }

        var row = factory.CreateHalf(message, options);
        await store.Transactions.PrepareAsync(row, cancellationToken).ConfigureAwait(false);
        OutboxTelemetry.Written.Add(1);
        return new PreparedMessage(row.MessageId, row.CreatedAt);
    }

    public Task CommitAsync(Guid messageId, CancellationToken cancellationToken) => DecideAsync(messageId, commit: true, cancellationToken);

    public Task RollbackAsync(Guid messageId, CancellationToken cancellationToken) => DecideAsync(messageId, commit: false, cancellationToken);

    public async Task<TransactionSendResult> SendInTransactionAsync<TMessage>(
        TMessage message,
        Func<TMessage, CancellationToken, ValueTask<LocalTransactionState>> localTransaction,
        PublishOptions? options,
        CancellationToken cancellationToken)
        where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(localTransaction);
        var half = await PrepareAsync(message, options, cancellationToken).ConfigureAwait(false);
        LocalTransactionState state;
        try
        {
            state = await localTransaction(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // As RocketMQ does: an exception is no decision; the check callback decides later.
            Log.LocalTransactionFailed(logger, ex, half.MessageId);
            state = LocalTransactionState.Unknown;
        }

        if (state == LocalTransactionState.Unknown)
        {
            return new TransactionSendResult(half.MessageId, state, TransactionOutcome.AwaitingCheck, Conflict: false);
        }

        var commit = state == LocalTransactionState.Commit;
        try
        {
            await DecideAsync(half.MessageId, commit, cancellationToken).ConfigureAwait(false);
            return new TransactionSendResult(half.MessageId, state, commit ? TransactionOutcome.Committed : TransactionOutcome.RolledBack, Conflict: false);
        }
        catch (TransactionConflictException conflict)
        {
            return new TransactionSendResult(half.MessageId, state, conflict.Standing, Conflict: true);
        }
    }

    private async Task DecideAsync(Guid messageId, bool commit, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var (applied, current) = commit
            ? await store.Transactions.CommitAsync(messageId, now, cancellationToken).ConfigureAwait(false)
            : await store.Transactions.RollbackAsync(messageId, cancellationToken).ConfigureAwait(false);
        if (applied)
        {
            if (commit)
            {
                signal.Wake();
            }

            return;
        }

        var standing = current switch
        {
            MessageStatus.Pending or MessageStatus.Dispatched => TransactionOutcome.Committed,
            MessageStatus.RolledBack => TransactionOutcome.RolledBack,
            null => throw new OutboxException(
                $"No half message {messageId} is in the outbox: it was never prepared, retention removed it, or it reached MaxChecks and is in the dead-letter table."),
            _ => throw new OutboxException($"Message {messageId} is not a half message; only messages from PrepareAsync can be committed or rolled back."),
        };

        if (standing != (commit ? TransactionOutcome.Committed : TransactionOutcome.RolledBack))
        {
            Log.ConflictingDecision(logger, messageId, commit ? "commit" : "rollback", standing);
            throw new TransactionConflictException(messageId, standing);
        }
    }
}
