using Microsoft.Extensions.Logging;
using Outbox.DeadLetters;
using Outbox.Dispatching;

namespace Outbox.Storage;

/// <summary>
/// The registered store as the rest of the outbox uses it: its facets, with what every store needs done here
/// rather than in each store. Dead letters requeued by any means wake the dispatcher, as rows a store
/// makes due need; numbering is decided when a message is published (<see cref="StoredMessage.Sequenced"/>).
/// </summary>
internal sealed class CoreStore(IOutboxStore store, DispatchSignal signal, ILogger<CoreStore> logger) : IOutboxStore
{
    private IDeadLetterQueue? _deadLetters;

    public IDispatchStore Dispatch => store.Dispatch;

    public ITransactionalStore Transactions => store.Transactions;

    public IInboxStore Inbox => store.Inbox;

    public IRetentionStore Retention => store.Retention;

    public IDeadLetterQueue DeadLetters => _deadLetters ??= new WakingDeadLetterQueue(store.DeadLetters, signal, logger);

    public IOutboxMonitor Monitor => store.Monitor;

    public IOutboxWriter Writer(IServiceProvider scope) => store.Writer(scope);

    public ISequenceLedger Sequences(IServiceProvider scope) => store.Sequences(scope);
}
