namespace Outbox.Storage;

/// <summary>What a commit or rollback of a half message did.</summary>
/// <param name="Applied">Whether it decided the message (it was still prepared).</param>
/// <param name="Current">The status the message has now; <see langword="null"/> when there is no such message.</param>
public readonly record struct HalfMessageDecision(bool Applied, MessageStatus? Current);
