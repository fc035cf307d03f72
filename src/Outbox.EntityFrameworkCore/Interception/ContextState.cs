namespace Outbox.EntityFrameworkCore.Interception;

/// <summary>
/// The outbox rows of one context. Transactions are told apart by a generation number rather than by
/// the ADO.NET transaction object, which some providers reuse.
/// </summary>
internal sealed class ContextState
{
    public List<PublishedMessage> Messages { get; } = [];

    /// <summary>The generation of the context's current (or last) transaction.</summary>
    public long Generation { get; set; }

    /// <summary>The transaction the outbox began for a SaveChanges that numbers messages, when the application had none; ended with that SaveChanges.</summary>
    public Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? Owned { get; set; }
}
