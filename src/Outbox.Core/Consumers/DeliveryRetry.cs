using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>A delivery a consumer keeps and tries again itself, after a wait, without giving it back to the transport.</summary>
/// <param name="Delivery">The delivery to run next: the same one, or the next attempt of it.</param>
/// <param name="After">How long to wait first.</param>
internal readonly record struct DeliveryRetry(IDelivery Delivery, TimeSpan After);
