using Outbox.Storage;

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

    /// <summary>Sequence numbers before the message's are missing and the consumer holds it for them: nothing was committed.</summary>
    Held,
}

/// <summary>
/// What happened to one delivery in the inbox pipeline, with the reason when it was not handled, what its
/// sequence check found, and, for a held message, when to look again.
/// </summary>
internal readonly record struct InboxOutcome(
    InboxResult Result, string? Reason = null, string? Error = null, Exception? Exception = null, SequenceOutcome? Sequence = null, SequenceHold? Hold = null)
{
    public static InboxOutcome Handled { get; } = new(InboxResult.Handled);

    public static InboxOutcome Duplicate { get; } = new(InboxResult.Duplicate);

    public static InboxOutcome Failed(Exception error) => new(InboxResult.Failed, "handler-failed", Describe(error), error);

    public static InboxOutcome Rejected(string reason, string error) => new(InboxResult.Rejected, reason, error);

    public static InboxOutcome Held(SequenceOutcome gap, SequenceHold hold) => new(InboxResult.Held, Sequence: gap, Hold: hold);

    /// <summary>
    /// The messages of <paramref name="error"/> and of the exceptions inside it, outermost first: a handler's
    /// failed save says only "see the inner exception", and the dead letter's last error must say why.
    /// </summary>
    internal static string Describe(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" → ", messages);
    }
}
