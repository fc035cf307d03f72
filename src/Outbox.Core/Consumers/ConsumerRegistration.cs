namespace Outbox.Consumers;

/// <summary>A consumer declared with <c>AddConsumer</c>: where it reads, what it handles, and how to call its handler.</summary>
internal sealed record ConsumerRegistration(
    string Name,
    string Source,
    Type MessageType,
    int? MaxConcurrency,
    int? MaxDeliveries,
    ConsumerOrdering? Ordering,
    string? Transport,
    bool? CheckSequence,
    SequenceGapHandling? OnSequenceGap,
    Func<IServiceProvider, object, MessageContext, CancellationToken, Task> InvokeAsync);
