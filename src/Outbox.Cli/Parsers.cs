using System.CommandLine.Parsing;
using System.Globalization;
using Outbox.Storage;

namespace Outbox.Cli;

/// <summary>
/// How the command line's values are read: a value that is not one gives one line naming the argument and
/// what it accepts (exit 2), never a .NET type name or a stack trace.
/// </summary>
internal static class Parsers
{
    /// <summary>The states <c>messages list</c> prints, as <c>--status</c> takes them (the older names stay as aliases).</summary>
    private static readonly Dictionary<string, MessageState> States = new(StringComparer.OrdinalIgnoreCase)
    {
        ["pending"] = new(MessageStatus.Pending, null),
        ["being-sent"] = new(MessageStatus.Prepared, MessageKind.Outbox),
        ["being sent"] = new(MessageStatus.Prepared, MessageKind.Outbox),
        ["half"] = new(MessageStatus.Prepared, MessageKind.Transactional),
        ["sent"] = new(MessageStatus.Dispatched, null),
        ["rolled-back"] = new(MessageStatus.RolledBack, null),
        ["rolled back"] = new(MessageStatus.RolledBack, null),
        ["prepared"] = new(MessageStatus.Prepared, null),
        ["dispatched"] = new(MessageStatus.Dispatched, null),
        ["rolledback"] = new(MessageStatus.RolledBack, null),
    };

    public static Guid MessageId(ArgumentResult result) =>
        Read<Guid>(result, "a message id: a GUID such as 0195f3c2-7a1e-7d3c-9f4e-2b8a6c1d0e5f", text => Guid.TryParse(text, out var id) ? id : null) ?? default;

    public static Guid? OptionalMessageId(ArgumentResult result) =>
        result.Tokens.Count == 0 ? null : Read<Guid>(result, "a message id: a GUID such as 0195f3c2-7a1e-7d3c-9f4e-2b8a6c1d0e5f", text => Guid.TryParse(text, out var id) ? id : null);

    public static DateTimeOffset? Instant(ArgumentResult result) => Read<DateTimeOffset>(
        result,
        "an instant in ISO 8601, such as 2026-11-23T08:00Z",
        text => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null);

    public static TimeSpan? Duration(ArgumentResult result) => Read<TimeSpan>(
        result,
        "a duration such as 30.00:00:00 (30 days) or 02:00:00 (two hours)",
        text => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero ? span : null);

    public static int Count(ArgumentResult result) =>
        Read<int>(result, "a whole number from 1", text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : null) ?? 100;

    public static MessageState? State(ArgumentResult result) =>
        Read<MessageState>(result, "pending, being-sent, half, sent or rolled-back", text => States.TryGetValue(text, out var state) ? state : null);

    public static MessageKind? Kind(ArgumentResult result) => Read<MessageKind>(
        result,
        "Outbox, or Transactional (half messages)",
        text => Enum.TryParse<MessageKind>(text, ignoreCase: true, out var kind) && Enum.IsDefined(kind) && !int.TryParse(text, out _) ? kind : null);

    private static T? Read<T>(ArgumentResult result, string accepts, Func<string, T?> parse)
        where T : struct
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (parse(text) is { } value)
        {
            return value;
        }

        var name = result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
        result.AddError($"{name}: '{Output.Safe(text)}' is not {accepts}.");
        return null;
    }
}

/// <summary>A state as <c>messages list</c> prints it: a status, and for "being sent" and "half", a kind.</summary>
internal readonly record struct MessageState(MessageStatus Status, MessageKind? Kind);

/// <summary>What the command line named is not there: exit 1, with the sentence alone.</summary>
internal sealed class NotFoundException(string message) : Exception(message);
