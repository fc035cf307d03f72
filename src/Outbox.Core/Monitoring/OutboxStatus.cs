namespace Outbox;

/// <summary>The outbox at one instant, as <see cref="IOutboxMonitor.GetStatusAsync"/> counted it.</summary>
/// <param name="At">When it was counted (UTC).</param>
/// <param name="Pending">Messages waiting to be sent, delayed ones included.</param>
/// <param name="Sending">Messages committed and being sent right after their commit.</param>
/// <param name="HalfMessages">Half messages awaiting their commit or rollback, or a check.</param>
/// <param name="SentLastHour">Messages sent in the last hour and still kept (see <c>Outbox:Retention:KeepFinishedFor</c>).</param>
/// <param name="DeadLetters">Dead letters kept.</param>
/// <param name="OldestDueAt">When the most overdue unsent message fell due, or <see langword="null"/> when none is.</param>
/// <param name="Destinations">Unsent and recently sent messages per destination, by destination name.</param>
/// <param name="SentPerFiveMinutes">Messages sent in each of the last twelve five-minute intervals, oldest first.</param>
public sealed record OutboxStatus(
    DateTimeOffset At,
    int Pending,
    int Sending,
    int HalfMessages,
    int SentLastHour,
    int DeadLetters,
    DateTimeOffset? OldestDueAt,
    IReadOnlyList<DestinationStatus> Destinations,
    IReadOnlyList<int> SentPerFiveMinutes);
