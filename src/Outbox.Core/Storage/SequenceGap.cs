namespace Outbox.Storage;

/// <summary>Numbers a consumer has not received from a producer's key, higher ones having arrived.</summary>
/// <param name="Consumer">The consumer's name.</param>
/// <param name="Source">The producer (<c>outbox-source</c>).</param>
/// <param name="Key">The messages' key.</param>
/// <param name="FirstMissing">The first number missing.</param>
/// <param name="LastMissing">The last number missing.</param>
/// <param name="DetectedAt">When the gap was found (UTC).</param>
public sealed record SequenceGap(string Consumer, string Source, string Key, long FirstMissing, long LastMissing, DateTimeOffset DetectedAt);
