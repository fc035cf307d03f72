namespace Outbox.Consumers;

/// <summary>The end of one attempt of a delivery.</summary>
/// <param name="Outcome">What the inbox pipeline did.</param>
/// <param name="RetryAfter">When the consumer keeps the delivery, unsettled, to try it again itself: the wait before that attempt.</param>
internal readonly record struct Processed(InboxOutcome Outcome, TimeSpan? RetryAfter = null);
