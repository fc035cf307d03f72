using System.Collections.Concurrent;
using Outbox.Storage;

namespace Outbox.Tests;

/// <summary>Records what the relay asks of the database.</summary>
internal sealed class RecordingStore : IOutboxStore, IDispatchStore, ITransactionalStore, IInboxStore, IRetentionStore, IDeadLetterQueue
{
    public IDispatchStore Dispatch => this;

    public ITransactionalStore Transactions => this;

    public IInboxStore Inbox => this;

    public IRetentionStore Retention => this;

    public IDeadLetterQueue DeadLetters => this;

    public IOutboxMonitor Monitor => throw new NotSupportedException("The relay's tests do not monitor.");

    public IOutboxWriter Writer(IServiceProvider scope) => throw new NotSupportedException("The relay's tests do not publish.");

    public ISequenceLedger Sequences(IServiceProvider scope) => throw new NotSupportedException("The relay's tests do not check sequences.");

    public ConcurrentQueue<long> Dispatched { get; } = new();

    public ConcurrentQueue<DispatchFailure> Failed { get; } = new();

    public ConcurrentQueue<(long Id, DateTimeOffset NextAttemptAt)> Released { get; } = new();

    public ConcurrentQueue<DeadLetterRequest> DeadLettered { get; } = new();

    public ConcurrentQueue<(long[] Ids, MessageStatus? Decided, DateTimeOffset NextCheckAt, string? Error)> Checks { get; } = new();

    /// <summary>Rows the next check claim returns (then none).</summary>
    public List<StoredMessage> DueForCheck { get; } = [];

    /// <summary>What <see cref="DecideAsync"/> answers.</summary>
    public (bool Applied, MessageStatus? Current) Decision { get; set; } = (true, MessageStatus.Pending);

    public Task ValidateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IDispatchClaim> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, int batchSize, CancellationToken cancellationToken) =>
        Task.FromResult(DispatchClaim.Leased([], this));

    public Task<IReadOnlyDictionary<string, long>> GetOldestUnsentIdsAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>());

    public Task MarkDispatchedAsync(IReadOnlyCollection<long> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            Dispatched.Enqueue(id);
        }

        return Task.CompletedTask;
    }

    public Task MarkFailedAsync(IReadOnlyCollection<DispatchFailure> failures, CancellationToken cancellationToken)
    {
        foreach (var failure in failures)
        {
            Failed.Enqueue(failure);
        }

        return Task.CompletedTask;
    }

    public Task ReleaseAsync(IReadOnlyCollection<long> ids, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            Released.Enqueue((id, nextAttemptAt));
        }

        return Task.CompletedTask;
    }

    public Task DeadLetterAsync(IReadOnlyCollection<DeadLetterRequest> requests, DateTimeOffset now, CancellationToken cancellationToken) =>
        DeadLetterUndecidedAsync(requests, "", now, cancellationToken);

    public Task<int> DeadLetterUndecidedAsync(IReadOnlyCollection<DeadLetterRequest> requests, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            DeadLettered.Enqueue(request);
        }

        return Task.FromResult(requests.Count);
    }

    public Task<DateTimeOffset?> GetNextDueAsync(DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

    public Task<DateTimeOffset?> GetEarliestDueUnsentAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

    public Task<int> RecoverStalePreparedAsync(DateTimeOffset now, DateTimeOffset preparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken) =>
        Task.FromResult(0);

    public Task PrepareAsync(StoredMessage message, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<HalfMessageDecision> CommitAsync(Guid messageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(new HalfMessageDecision(Decision.Applied, Decision.Current));

    public Task<HalfMessageDecision> RollbackAsync(Guid messageId, CancellationToken cancellationToken) =>
        Task.FromResult(new HalfMessageDecision(Decision.Applied, Decision.Current));

    public Task<IReadOnlyList<StoredMessage>> ClaimChecksAsync(
        string owner, DateTimeOffset now, DateTimeOffset leaseUntil, DateTimeOffset outboxPreparedBefore, IReadOnlyCollection<string> checkedTypes, int batchSize, CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredMessage> due = [.. DueForCheck];
        DueForCheck.Clear();
        return Task.FromResult(due);
    }

    public Task<int> CommitCheckedAsync(IReadOnlyCollection<long> ids, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        RecordCheck(ids, MessageStatus.Pending, now, null);

    public Task<int> RollbackCheckedAsync(IReadOnlyCollection<long> ids, string owner, CancellationToken cancellationToken) =>
        RecordCheck(ids, MessageStatus.RolledBack, default, null);

    public Task<int> ScheduleNextCheckAsync(IReadOnlyCollection<long> ids, string owner, DateTimeOffset nextCheckAt, string? lastError, CancellationToken cancellationToken) =>
        RecordCheck(ids, null, nextCheckAt, lastError);

    private Task<int> RecordCheck(IReadOnlyCollection<long> ids, MessageStatus? decided, DateTimeOffset nextCheckAt, string? error)
    {
        Checks.Enqueue(([.. ids], decided, nextCheckAt, error));
        return Task.FromResult(ids.Count);
    }

    public Task<int> DeleteFinishedAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) => Task.FromResult(0);

    /// <summary>Thrown by the next this-many consumer dead-letter writes, as by a database that is down.</summary>
    public int FailDeadLetterDeliveries { get; set; }

    /// <summary>Dead letters of deliveries to refuse next, as a database refuses a value it cannot store.</summary>
    public int RefuseDeadLetterDeliveries { get; set; }

    public ConcurrentQueue<(Guid MessageId, string Reason)> DeadLetteredDeliveries { get; } = new();

    /// <summary>The dead letters of deliveries written, whole.</summary>
    public ConcurrentQueue<(Outbox.Transport.TransportMessage Message, string Reason, int Attempts, string? LastError)> DeadLetteredMessages { get; } = new();

    public Task DeadLetterDeliveryAsync(Outbox.Transport.TransportMessage message, string consumer, string reason, int attempts, string? lastError, DateTimeOffset now, Func<IServiceProvider, CancellationToken, Task>? inTransaction, CancellationToken cancellationToken)
    {
        if (FailDeadLetterDeliveries > 0)
        {
            FailDeadLetterDeliveries--;
            throw new TimeoutException("the database did not answer");
        }

        if (RefuseDeadLetterDeliveries > 0)
        {
            RefuseDeadLetterDeliveries--;
            throw new InvalidOperationException("22001: value too long for type character varying(256)");
        }

        DeadLetteredMessages.Enqueue((message, reason, attempts, lastError));
        DeadLetteredDeliveries.Enqueue((message.MessageId, reason));
        return Task.CompletedTask;
    }

    public Task<bool> HandleOnceAsync(Guid messageId, string consumer, Func<IServiceProvider, CancellationToken, Task> handle, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The relay's tests do not consume.");

    public Task<int> DeleteInboxAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) => Task.FromResult(0);

    public Task<int> DeleteDeadLettersAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) => Task.FromResult(0);

    /// <summary>How many dead letters the next requeue by filter finds (a requeue by id finds one when this is above 0).</summary>
    public int Requeuable { get; set; }

    public Task<IReadOnlyList<DeadLetter>> ListAsync(DeadLetterFilter? filter = null, int skip = 0, int take = 100, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<DeadLetter>>([]);

    public Task<bool> RequeueAsync(Guid messageId, CancellationToken cancellationToken = default) => Task.FromResult(Requeuable > 0);

    public Task<int> RequeueAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default) => Task.FromResult(Requeuable);

    public Task<int> PurgeAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default) => Task.FromResult(0);
}
