namespace Outbox.Storage;

/// <summary>A message to move from the outbox to the dead-letter table, and why.</summary>
/// <param name="Message">The message, as it was claimed.</param>
/// <param name="Reason">A short code, such as <c>max-attempts</c>.</param>
/// <param name="Attempts">How many sends or checks were tried.</param>
/// <param name="LastError">The last error.</param>
/// <param name="Source">Who gave up on it: one of <see cref="DeadLetterSources"/>; a requeue hands it back there.</param>
public readonly record struct DeadLetterRequest(StoredMessage Message, string Reason, int Attempts, string? LastError, string Source);
