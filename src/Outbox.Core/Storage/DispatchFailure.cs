namespace Outbox.Storage;

/// <summary>A failed send to record: the message goes back to pending with a later attempt time.</summary>
/// <param name="Id">The message's <see cref="StoredMessage.Id"/>.</param>
/// <param name="Attempts">How many sends failed, this one included.</param>
/// <param name="NextAttemptAt">When to try again.</param>
/// <param name="Error">What went wrong.</param>
public readonly record struct DispatchFailure(long Id, int Attempts, DateTimeOffset NextAttemptAt, string Error);
