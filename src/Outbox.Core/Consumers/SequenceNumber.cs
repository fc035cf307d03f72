namespace Outbox.Consumers;

/// <summary>A message's place in its producer's numbering: the <c>outbox-source</c> header, the key and the <c>outbox-seq</c> header.</summary>
internal readonly record struct SequenceNumber(string Source, string Key, long Number);
