using Microsoft.Extensions.Options;
using Outbox.Configuration;

namespace Outbox;

/// <summary>Settings shared by every consumer (<c>Outbox:Consumers</c>).</summary>
public sealed class ConsumersOptions
{
    /// <summary>Messages one consumer handles at the same time, unless it sets its own.</summary>
    /// <value>The default is 8.</value>
    [SettingRange(1, 1_000)]
    public int MaxConcurrency { get; set; } = OutboxDefaults.ConsumerConcurrency;

    /// <summary>Deliveries before a failing message moves to the dead-letter table, unless a consumer sets its own.</summary>
    /// <value>The default is 10.</value>
    [SettingRange(1, 1_000)]
    public int MaxDeliveries { get; set; } = OutboxDefaults.MaxDeliveries;

    /// <summary>How long inbox rows are kept; a duplicate arriving later than this is handled again.</summary>
    /// <value>The default is 7 days.</value>
    [LongerThanZero]
    public TimeSpan DedupeWindow { get; set; } = OutboxDefaults.DedupeWindow;

    /// <summary>The wait before the second delivery of a failed message; doubles per delivery.</summary>
    /// <value>The default is 5 seconds.</value>
    [LongerThanZero]
    public TimeSpan RedeliveryDelay { get; set; } = OutboxDefaults.RedeliveryDelay;

    /// <summary>The longest wait between deliveries.</summary>
    /// <value>The default is 5 minutes.</value>
    public TimeSpan MaxRedeliveryDelay { get; set; } = OutboxDefaults.MaxRedeliveryDelay;

    /// <summary>In-process retries of a failing handler before the message is redelivered (Polly).</summary>
    [ValidateObjectMembers]
    public RetryOptions Retry { get; } = new();

    /// <summary>
    /// Whether the default JSON serializer refuses a body with a member the message type does not have,
    /// without a required member (a constructor parameter, or a <c>required</c> property), or with null for a
    /// member that is not nullable; such a body is dead-lettered as <c>malformed-message</c>. Off, bodies are
    /// read tolerantly, as System.Text.Json reads by default: unknown members are ignored and missing ones
    /// left at their defaults, so a producer can add a member before its consumers are upgraded.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool StrictBodies { get; set; }

    /// <summary>How every consumer orders the messages that share a key, unless it says otherwise; see <see cref="ConsumerOrdering"/>.</summary>
    /// <value>The default is <see cref="ConsumerOrdering.PerKey"/>.</value>
    public ConsumerOrdering Ordering { get; set; } = ConsumerOrdering.PerKey;

    /// <summary>
    /// Whether every consumer checks the sequence numbers of what it handles (the <c>outbox-seq</c> and
    /// <c>outbox-source</c> headers), unless it says otherwise; see docs/guarantees.md.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool CheckSequence { get; set; }

    /// <summary>What every consumer that checks sequence numbers does when numbers are missing, unless it says otherwise; see <see cref="SequenceGapHandling"/>.</summary>
    /// <value>The default is <see cref="SequenceGapHandling.Report"/>.</value>
    public SequenceGapHandling OnSequenceGap { get; set; } = SequenceGapHandling.Report;

    /// <summary>With <see cref="SequenceGapHandling.Hold"/>: the longest a message waits for the numbers missing before it, from when it was first held.</summary>
    /// <value>The default is 30 seconds.</value>
    [LongerThanZero]
    public TimeSpan SequenceHoldTimeout { get; set; } = OutboxDefaults.SequenceHoldTimeout;
}
