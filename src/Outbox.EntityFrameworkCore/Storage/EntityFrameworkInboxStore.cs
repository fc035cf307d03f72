using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>Consumer dead letters.</summary>
internal sealed class EntityFrameworkInboxStore<TContext>(ContextRunner<TContext> runner) : IInboxStore
    where TContext : DbContext
{
    public Task DeadLetterDeliveryAsync(TransportMessage message, string consumer, string reason, int attempts, string? error, DateTime now, CancellationToken cancellationToken) =>
        runner.RunAsync(async context =>
        {
            context.Set<DeadLetterRecord>().Add(new DeadLetterRecord
            {
                MessageId = message.MessageId,
                Destination = message.Destination,
                MessageType = message.MessageType,
                MessageKey = message.Key,
                Payload = message.Body.ToArray(),
                Headers = message.Headers.Count == 0 ? null : JsonSerializer.Serialize(message.Headers),
                Source = DeadLetterSources.Consumer,
                ConsumerName = consumer,
                Reason = reason,
                Attempts = attempts,
                LastError = StoredRows.Truncate(error),
                CreatedAt = message.CreatedAt.UtcDateTime,
                DeadLetteredAt = now,
            });
            return await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        });
}
