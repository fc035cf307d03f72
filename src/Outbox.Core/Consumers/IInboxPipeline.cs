using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>The storage side of a delivery: inbox row, handler and its changes, in one transaction.</summary>
internal interface IInboxPipeline
{
    Task<InboxOutcome> HandleAsync(ConsumerRegistration consumer, IDelivery delivery, CancellationToken cancellationToken);
}
