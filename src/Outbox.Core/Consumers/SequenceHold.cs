namespace Outbox.Consumers;

/// <summary>A message held for missing sequence numbers.</summary>
/// <param name="First">Whether this is the first time it is held.</param>
/// <param name="CheckAgainAfter">When to look again whether the numbers have been handled.</param>
internal readonly record struct SequenceHold(bool First, TimeSpan CheckAgainAfter);
