namespace Outbox.Storage;

/// <summary>A failed send to record: the row goes back to pending with a later attempt time.</summary>
internal readonly record struct DispatchFailure(long Id, int Attempts, DateTime NextAttemptAt, string Error);
