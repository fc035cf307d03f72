namespace Outbox.Storage;

/// <summary>
/// A database the outbox keeps its messages in: the one type a store implements, registered with
/// <c>UseStore</c> on the builder <c>AddOutbox</c> returns. Each facet is what one part of the outbox needs.
/// A store stores: what every store needs besides (waking the dispatcher when requeued rows become due,
/// deciding whether a message is numbered, carried on <see cref="StoredMessage.Sequenced"/>) is done by the
/// outbox around it. <c>StoreConformance</c> in the repository's tests is what a store must pass.
/// </summary>
public interface IOutboxStore
{
    /// <summary>Claiming due messages for the dispatcher and recording what became of them.</summary>
    IDispatchStore Dispatch { get; }

    /// <summary>Half messages: prepared, then committed or rolled back, and the check job's claims.</summary>
    ITransactionalStore Transactions { get; }

    /// <summary>The consumers' inbox: a message's effects once, and dead letters of deliveries.</summary>
    IInboxStore Inbox { get; }

    /// <summary>What the retention job deletes.</summary>
    IRetentionStore Retention { get; }

    /// <summary>The dead letters, as people list, requeue and purge them.</summary>
    IDeadLetterQueue DeadLetters { get; }

    /// <summary>What the dashboard, the command-line tool and people read.</summary>
    IOutboxMonitor Monitor { get; }

    /// <summary>The writer of the unit of work of <paramref name="scope"/>: what it adds is written when that unit of work commits.</summary>
    /// <param name="scope">The services of one scope (a request, a handled message).</param>
    /// <returns>The scope's writer.</returns>
    IOutboxWriter Writer(IServiceProvider scope);

    /// <summary>The sequence numbers' ledger, recording in the inbox transaction <paramref name="scope"/> runs (the one <see cref="IInboxStore.HandleOnceAsync"/> gives its callback).</summary>
    /// <param name="scope">The services the inbox gave the handler.</param>
    /// <returns>The scope's ledger.</returns>
    ISequenceLedger Sequences(IServiceProvider scope);
}
