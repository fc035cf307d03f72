namespace Outbox;

/// <summary>What a check callback is told about the half message it checks.</summary>
/// <param name="MessageId">The message id.</param>
/// <param name="Headers">The message headers.</param>
/// <param name="CheckCount">How many times the message was checked before (0 on the first check).</param>
/// <param name="FirstWrittenAt">When the half message was stored.</param>
public sealed record TransactionCheckContext(
    Guid MessageId,
    IReadOnlyDictionary<string, string> Headers,
    int CheckCount,
    DateTimeOffset FirstWrittenAt);
