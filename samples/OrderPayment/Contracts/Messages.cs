namespace OrderPayment.Contracts;

/// <summary>Orders published it with the order, in the same transaction: the order is to be paid.</summary>
public sealed record OrderPlaced(Guid OrderId, string Customer, decimal Amount, DateTime PlacedAt);

/// <summary>Payments charged the order: sent only once the gateway's charge is known to have succeeded.</summary>
public sealed record PaymentCaptured(Guid OrderId, decimal Amount);

/// <summary>Payments could not charge the order.</summary>
public sealed record PaymentFailed(Guid OrderId, string Reason);

/// <summary>The names both services give the messages on the wire (<c>AddMessageType</c>), and where they go.</summary>
public static class MessageNames
{
    public const string OrderPlaced = "OrderPlaced";
    public const string PaymentCaptured = "PaymentCaptured";
    public const string PaymentFailed = "PaymentFailed";
}
