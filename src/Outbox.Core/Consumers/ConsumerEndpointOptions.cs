using Outbox.Configuration;

namespace Outbox;

/// <summary>
/// One consumer, as <c>AddConsumer</c> declares it and <c>Outbox:Consumers:Endpoints:{Name}</c> overrides it: where it
/// reads from, its name in the inbox, and its limits. What it leaves unset, <see cref="ConsumersOptions"/> decides.
/// </summary>
public sealed class ConsumerEndpointOptions
{
    /// <summary>The destination (routing key or topic) it reads. Required.</summary>
    public string Source { get; set; } = "";

    /// <summary>The consumer name: the inbox deduplicates per message id and name, so two consumers of one source each handle every message. Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>Messages handled at the same time; messages with the same key are handled one after another, in order.</summary>
    /// <value>The default is <c>Outbox:Consumers:MaxConcurrency</c> (8).</value>
    public int? MaxConcurrency { get; set; }

    /// <summary>
    /// For a consumer declared only in configuration (<c>Outbox:Consumers:Endpoints:{Name}:Handler</c>):
    /// the handler's type name, as <c>Namespace.Type, Assembly</c>. Ignored in code.
    /// </summary>
    public string? Handler { get; set; }

    /// <summary>Deliveries before a failing message moves to the dead-letter table.</summary>
    /// <value>The default is <c>Outbox:Consumers:MaxDeliveries</c> (10).</value>
    public int? MaxDeliveries { get; set; }

    /// <summary>How messages that share a key are ordered; see <see cref="ConsumerOrdering"/>.</summary>
    /// <value>The default is <c>Outbox:Consumers:Ordering</c> (<see cref="ConsumerOrdering.PerKey"/>).</value>
    public ConsumerOrdering? Ordering { get; set; }

    /// <summary>
    /// Whether this consumer checks the sequence numbers of what it handles (the <c>outbox-seq</c> and
    /// <c>outbox-source</c> headers), reporting numbers that are missing, late or out of order.
    /// </summary>
    /// <value>The default is <c>Outbox:Consumers:CheckSequence</c> (<see langword="false"/>).</value>
    public bool? CheckSequence { get; set; }

    /// <summary>What this consumer does when it checks sequence numbers and numbers are missing; see <see cref="SequenceGapHandling"/>.</summary>
    /// <value>The default is <c>Outbox:Consumers:OnSequenceGap</c> (<see cref="SequenceGapHandling.Report"/>).</value>
    public SequenceGapHandling? OnSequenceGap { get; set; }

    /// <summary>The name of the registered transport this consumer reads from (<c>InMemory</c>, <c>RabbitMQ</c>, …).</summary>
    /// <value>The default is <c>Outbox:Transport</c>.</value>
    public string? Transport { get; set; }
}
