namespace Outbox.Storage;

/// <summary>
/// Messages claimed for sending (<see cref="IDispatchStore.ClaimAsync"/>). Until the claim ends, no other
/// claim, on this instance or another, returns them. Their outcomes are recorded through the claim;
/// <see cref="CommitAsync"/> ends it and keeps what was recorded. Disposing it without committing gives it
/// up: the messages it did not mark can be claimed again, at once for a store that holds them in a
/// transaction (which then keeps none of the marks), or once the lease runs out for one that leases them.
/// </summary>
public interface IDispatchClaim : IDispatchOutcomes, IAsyncDisposable
{
    /// <summary>The claimed messages, in any order.</summary>
    IReadOnlyList<StoredMessage> Messages { get; }

    /// <summary>Ends the claim, keeping the outcomes recorded through it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the outcomes are stored.</returns>
    Task CommitAsync(CancellationToken cancellationToken);
}
