namespace Outbox;

/// <summary>A stored half message, waiting for <see cref="IOutbox.CommitAsync"/> or <see cref="IOutbox.RollbackAsync"/>.</summary>
/// <param name="MessageId">The message id, to commit or roll back with.</param>
/// <param name="PreparedAt">When it was stored.</param>
public sealed record PreparedMessage(Guid MessageId, DateTimeOffset PreparedAt);
