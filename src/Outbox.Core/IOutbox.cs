namespace Outbox;

/// <summary>
/// Writes messages into the outbox of the current unit of work. The message is stored in the same
/// database transaction as the business changes and is sent to the transport only after that
/// transaction commits.
/// </summary>
/// <remarks>
/// <see cref="IOutbox"/> is scoped: it is bound to the <c>DbContext</c> of the same scope, and the
/// message is written by that context's next <c>SaveChanges</c>.
/// </remarks>
public interface IOutbox
{
    /// <summary>Adds a message to the outbox of the current unit of work.</summary>
    /// <typeparam name="TMessage">A message type registered with <see cref="OutboxOptions.Route{TMessage}(string, string?)"/> or <see cref="OutboxOptions.AddMessageType{TMessage}(string)"/>.</typeparam>
    /// <param name="message">The message to publish.</param>
    /// <param name="options">Destination, ordering key, delay, message id and headers; all optional.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message id.</returns>
    /// <exception cref="OutboxException">The message type is not registered, no destination is known, or the payload is too large.</exception>
    ValueTask<Guid> PublishAsync<TMessage>(TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TMessage : notnull;
}
