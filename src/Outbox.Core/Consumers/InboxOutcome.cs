namespace Outbox.Consumers;

internal enum InboxResult
{
    /// <summary>The handler ran and its transaction, with the inbox row, committed.</summary>
    Handled,

    /// <summary>The inbox already had the message for this consumer: the handler did not run.</summary>
    Duplicate,

    /// <summary>The handler threw; nothing was committed.</summary>
    Failed,

    /// <summary>The message can never be handled (unknown type, unreadable body): it is set aside.</summary>
    Rejected,
}

/// <summary>What happened to one delivery in the inbox pipeline, with the reason when it was not handled.</summary>
internal readonly record struct InboxOutcome(InboxResult Result, string? Reason = null, string? Error = null, Exception? Exception = null)
{
    public static InboxOutcome Handled { get; } = new(InboxResult.Handled);

    public static InboxOutcome Duplicate { get; } = new(InboxResult.Duplicate);

    public static InboxOutcome Failed(Exception error) => new(InboxResult.Failed, "handler-failed", error.Message, error);

    public static InboxOutcome Rejected(string reason, string error) => new(InboxResult.Rejected, reason, error);
}
