namespace Outbox;

/// <summary>
/// Which dead letters a list, requeue or purge acts on. Every property left unset matches every dead
/// letter; those set must all match. <c>new DeadLetterFilter()</c> selects them all.
/// </summary>
public sealed record DeadLetterFilter
{
    /// <summary>Gets only these messages (every dead letter of each, when several consumers gave up on one message).</summary>
    public IReadOnlyCollection<Guid>? MessageIds { get; init; }

    /// <summary>Gets only dead letters recorded by this part of the outbox: one of <see cref="Storage.DeadLetterSources"/>.</summary>
    public string? Source { get; init; }

    /// <summary>Gets only dead letters of this consumer.</summary>
    public string? Consumer { get; init; }

    /// <summary>Gets only dead letters with this reason, such as <c>max-attempts</c> or <c>max-deliveries</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets only dead letters of messages to this destination.</summary>
    public string? Destination { get; init; }

    /// <summary>Gets only dead letters recorded at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Gets only dead letters recorded before this instant.</summary>
    public DateTimeOffset? Before { get; init; }
}
