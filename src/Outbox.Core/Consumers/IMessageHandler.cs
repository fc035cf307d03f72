namespace Outbox;

/// <summary>
/// Handles messages of <typeparamref name="TMessage"/> exactly once per consumer: the framework stores an
/// inbox row, runs the handler and saves the scope's <c>DbContext</c> in one transaction, so a
/// redelivered message has no second effect. Register it with <c>AddConsumer&lt;THandler&gt;</c>.
/// </summary>
/// <typeparam name="TMessage">The registered message type it handles.</typeparam>
public interface IMessageHandler<in TMessage>
{
    /// <summary>
    /// Handles one message: change the scope's <c>DbContext</c> and publish through <see cref="IOutbox"/>;
    /// do not call <c>SaveChanges</c>, the framework does. Throwing rolls everything back and retries.
    /// </summary>
    ValueTask HandleAsync(TMessage message, MessageContext context, CancellationToken cancellationToken);
}
