using Microsoft.Extensions.Logging;
using Outbox.Storage;
using Outbox.Telemetry;
using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>
/// A consumer's dead letters. One the store refuses (a field it cannot hold that no check foresaw) is written
/// again with the message's id, body and the reason only, so that the key or partition moves on; when the
/// database did not answer, or refuses that too, the database is the problem. Logged once written, never before.
/// </summary>
internal sealed class ConsumerDeadLetters(IOutboxStore store, TimeProvider timeProvider, ILogger logger)
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>
    /// Sets a delivery aside with the reason; a numbered message the consumer checks counts as handled for the
    /// check, in the dead letter's transaction. Throws when the database is the problem: the delivery is then
    /// tried again later.
    /// </summary>
    public async Task WriteAsync(ConsumerRegistration consumer, IDelivery delivery, InboxOutcome outcome, SequenceNumber? numbered)
    {
        var message = delivery.Message;
        var reason = outcome.Result == InboxResult.Failed ? "max-deliveries" : outcome.Reason!;
        var error = outcome.Error?.Replace("\0", "\\0", StringComparison.Ordinal);
        var now = timeProvider.GetUtcNow();
        SequenceOutcome? sequence = null;
        Func<IServiceProvider, CancellationToken, Task>? record = numbered is { } number
            ? async (scope, ct) => sequence = await SequenceCheck.RecordAsync(store.Sequences(scope), consumer, message, number, now, ct).ConfigureAwait(false)
            : null;
        try
        {
            await store.Inbox.DeadLetterDeliveryAsync(message, consumer.Name, reason, delivery.Attempt, error, now, record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception refused) when (!Unreachable(refused))
        {
            var minimal = new TransportMessage(message.MessageId, consumer.Source, "", null, message.Body, message.ContentType, NoHeaders, message.CreatedAt);
            error = $"{error} (the dead letter's other fields could not be stored: {InboxOutcome.Describe(refused)})";
            await store.Inbox.DeadLetterDeliveryAsync(minimal, consumer.Name, reason, delivery.Attempt, error, now, null, CancellationToken.None).ConfigureAwait(false);
            Log.DeadLetterCut(logger, refused, message.MessageId, consumer.Name);
            numbered = null;
        }

        if (numbered is { } counted)
        {
            Log.NumberedDeliveryDeadLettered(logger, outcome.Exception, message.MessageId, consumer.Name, counted.Number, counted.Key, counted.Source, reason, delivery.Attempt, error);
        }
        else
        {
            Log.DeliveryDeadLettered(logger, outcome.Exception, message.MessageId, consumer.Name, reason, delivery.Attempt, error);
        }

        OutboxTelemetry.DeadLettered.Add(1);
        if (sequence is { } recorded)
        {
            OutboxTelemetry.SequenceDeadLettered.Add(1, SequenceReport.Tags(consumer, numbered!.Value));
            SequenceReport.Report(logger, consumer, numbered.Value, recorded);
        }
    }

    // The database did not answer (a timeout, a dropped connection, a busy file) rather than refuse the row.
    private static bool Unreachable(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or IOException or System.Net.Sockets.SocketException or System.Data.Common.DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }
}
