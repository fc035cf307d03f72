namespace Outbox;

/// <summary>One destination's share of an <see cref="OutboxStatus"/>.</summary>
/// <param name="Destination">The destination name.</param>
/// <param name="Unsent">Messages to it not yet sent.</param>
/// <param name="OldestDueAt">When its most overdue unsent message fell due, or <see langword="null"/> when none is.</param>
/// <param name="SentLastHour">Messages sent to it in the last hour and still kept.</param>
public sealed record DestinationStatus(string Destination, int Unsent, DateTimeOffset? OldestDueAt, int SentLastHour);
