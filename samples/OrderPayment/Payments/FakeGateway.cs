using System.Collections.Concurrent;

namespace OrderPayment.Payments;

public enum ChargeStatus
{
    /// <summary>The gateway has no charge for the order.</summary>
    None,

    /// <summary>The charge is being processed.</summary>
    Pending,
    Captured,
    Declined,
}

/// <summary>
/// A stand-in for a payment gateway, with test customers as real gateways have test cards: a customer whose
/// name starts with <c>decline</c> is declined; one whose name starts with <c>slow</c> gets no answer in time
/// (the call throws <see cref="TimeoutException"/>) while the gateway goes on and captures the charge
/// <see cref="LateBy"/> later. Charges are keyed by order, so asking twice charges once.
/// </summary>
public sealed class FakeGateway(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<Guid, (ChargeStatus Status, DateTimeOffset Settles, string Id)> _charges = new();

    public TimeSpan LateBy { get; set; } = TimeSpan.FromSeconds(2);

    public Task<(ChargeStatus Status, string ChargeId)> ChargeAsync(Guid orderId, string customer, decimal amount)
    {
        var now = timeProvider.GetUtcNow();
        var charge = _charges.GetOrAdd(orderId, _ => customer switch
        {
            _ when customer.StartsWith("decline", StringComparison.OrdinalIgnoreCase) => (ChargeStatus.Declined, now, NewId()),
            _ when customer.StartsWith("slow", StringComparison.OrdinalIgnoreCase) => (ChargeStatus.Pending, now + LateBy, NewId()),
            _ => (ChargeStatus.Captured, now, NewId()),
        });
        return charge.Status == ChargeStatus.Pending
            ? throw new TimeoutException($"The gateway did not answer for order {orderId} in time.")
            : Task.FromResult((charge.Status, charge.Id));
    }

    /// <summary>What the gateway knows of the order's charge now.</summary>
    public Task<(ChargeStatus Status, string? ChargeId)> StatusAsync(Guid orderId)
    {
        if (!_charges.TryGetValue(orderId, out var charge))
        {
            return Task.FromResult<(ChargeStatus, string?)>((ChargeStatus.None, null));
        }

        var status = charge.Status == ChargeStatus.Pending && timeProvider.GetUtcNow() >= charge.Settles ? ChargeStatus.Captured : charge.Status;
        return Task.FromResult<(ChargeStatus, string?)>((status, charge.Id));
    }

    private static string NewId() => "ch_" + Guid.NewGuid().ToString("N")[..12];
}
