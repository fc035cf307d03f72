namespace Outbox.Storage;

/// <summary>A row to move from the outbox to the dead-letter table.</summary>
internal readonly record struct DeadLetterRequest(OutboxRecord Record, string Reason, int Attempts, string? LastError, string Source = DeadLetterSources.Dispatch);
