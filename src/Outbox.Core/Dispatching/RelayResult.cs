namespace Outbox.Dispatching;

internal readonly record struct RelayResult(RelayStatus Status, string? Error = null, Exception? Exception = null);
