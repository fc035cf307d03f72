using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outbox.Consumers;
using Outbox.Serialization;
using Outbox.Storage;
using Outbox.Telemetry;
using Outbox.Transport;

namespace Outbox.Publishing;

/// <summary>Turns a message and its <see cref="PublishOptions"/> into an outbox row, or says why it cannot.</summary>
internal sealed class OutboxMessageFactory(
    IOptions<OutboxOptions> options,
    IMessageSerializer serializer,
    TimeProvider timeProvider,
    OutboxInstance instance,
    IHostEnvironment? environment = null)
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>A message for the application's transaction: prepared and leased to this instance, or pending when due later.</summary>
    public StoredMessage Create(object message, PublishOptions? publish) => Create(message, publish, MessageKind.Outbox);

    /// <summary>A half message: prepared, unleased, first checked after its check immunity or <c>CheckAfter</c>.</summary>
    public StoredMessage CreateHalf(object message, PublishOptions? publish) => Create(message, publish, MessageKind.Transactional);

    private StoredMessage Create(object message, PublishOptions? publish, MessageKind kind)
    {
        var settings = options.Value;
        var type = message.GetType();
        if (!settings.MessageTypes.TryGetName(type, out var typeName))
        {
            throw new OutboxException(
                $"The message type '{type.FullName}' is not registered. Register it with options.Route<{type.Name}>(\"destination\") " +
                $"or options.AddMessageType<{type.Name}>(\"name\") in AddOutbox.");
        }

        var destination = publish?.Destination;
        if (string.IsNullOrWhiteSpace(destination) && !settings.Routes.TryGetValue(typeName, out destination))
        {
            throw new OutboxException(
                $"No destination for message type '{typeName}': set PublishOptions.Destination, call options.Route<{type.Name}>(...), " +
                $"or add Outbox:Routes:{typeName} to the configuration.");
        }

        Refuse(MessageFields.Problem("message type name", typeName), typeName);
        Refuse(MessageFields.Problem("destination", destination), typeName);
        Refuse(MessageFields.Problem("key", publish?.Key), typeName);
        if (publish?.Headers?.Keys.FirstOrDefault(MessageFields.IsReserved) is { } reserved)
        {
            throw new OutboxException(
                $"The header '{reserved}' of the '{typeName}' message is the outbox's own: names starting with '{MessageFields.ReservedPrefix}', " +
                "and message-id, message-type and content-type, are reserved. Give the header another name.");
        }

        var payload = serializer.Serialize(message, type);
        if (payload.Length > settings.MaxPayloadBytes)
        {
            throw new OutboxException(
                $"The '{typeName}' message is {payload.Length} bytes, more than Outbox:MaxPayloadBytes ({settings.MaxPayloadBytes}).");
        }

        var now = timeProvider.GetUtcNow();
        var dueAt = DueAt(publish, now);
        var status = MessageStatus.Prepared;
        var nextAttemptAt = dueAt;
        string? leaseOwner = null;
        DateTimeOffset? leaseExpiresAt = null;
        if (kind == MessageKind.Transactional)
        {
            if (publish?.CheckImmunity < TimeSpan.Zero)
            {
                throw new OutboxException($"PublishOptions.CheckImmunity must not be negative (was {publish.CheckImmunity}).");
            }

            nextAttemptAt = now + (publish?.CheckImmunity ?? settings.Transactions.CheckAfter);
        }
        else if (dueAt > now)
        {
            // Nothing sends a delayed message at commit, so nothing needs protecting: it is pending from the start.
            status = MessageStatus.Pending;
        }
        else
        {
            leaseOwner = instance.Id;
            leaseExpiresAt = now + settings.Dispatch.LeaseDuration;
        }

        var sequenced = IsSequenced(settings, typeName, kind, publish?.Key, status);
        return new StoredMessage
        {
            MessageId = publish?.MessageId ?? Guid.CreateVersion7(timeProvider.GetUtcNow()),
            Destination = destination,
            MessageType = typeName,
            Key = publish?.Key,
            Body = payload,
            Headers = sequenced ? WithSource(Headers(publish, destination), settings) : Headers(publish, destination),
            Sequenced = sequenced,
            Status = status,
            Kind = kind,
            CreatedAt = now,
            DueAt = dueAt,
            NextAttemptAt = nextAttemptAt,
            LeaseOwner = leaseOwner,
            LeaseExpiresAt = leaseExpiresAt,
        };
    }

    // A numbered route's keyed message, sent at its commit, is numbered by the store when the transaction saves
    // it (outbox-seq). A half message commits later than it is written, and a delayed one is sent later than
    // messages written after it: neither is numbered.
    private static bool IsSequenced(OutboxOptions settings, string typeName, MessageKind kind, string? key, MessageStatus status) =>
        key is not null && kind == MessageKind.Outbox && status == MessageStatus.Prepared && settings.SequencedTypes.Contains(typeName);

    // A numbered message names its producer (outbox-source), this service: a publisher cannot set the header,
    // which is reserved.
    private Dictionary<string, string> WithSource(IReadOnlyDictionary<string, string> headers, OutboxOptions settings)
    {
        var service = settings.ServiceName ?? environment?.ApplicationName ?? System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "outbox";
        return new Dictionary<string, string>(headers, StringComparer.Ordinal) { [TransportMessage.SourceHeader] = service };
    }

    private static void Refuse(string? problem, string typeName)
    {
        if (problem is not null)
        {
            throw new OutboxException($"The '{typeName}' message cannot be published: {problem}.");
        }
    }

    private static DateTimeOffset DueAt(PublishOptions? publish, DateTimeOffset now)
    {
        if (publish is null)
        {
            return now;
        }

        if (publish.Delay is not null && publish.DueAt is not null)
        {
            throw new OutboxException("Set PublishOptions.Delay or PublishOptions.DueAt, not both.");
        }

        if (publish.Delay < TimeSpan.Zero)
        {
            throw new OutboxException($"PublishOptions.Delay must not be negative (was {publish.Delay}).");
        }

        var due = publish.DueAt?.ToUniversalTime() ?? now + (publish.Delay ?? TimeSpan.Zero);
        return due < now ? now : due;
    }

    private static IReadOnlyDictionary<string, string> Headers(PublishOptions? publish, string destination)
    {
        Dictionary<string, string>? headers = publish?.Headers is { Count: > 0 } given
            ? new Dictionary<string, string>(given, StringComparer.Ordinal)
            : null;

        using var activity = OutboxTelemetry.Source.StartActivity($"{destination} publish", ActivityKind.Producer);
        var context = activity ?? Activity.Current;
        if (context is not null)
        {
            headers ??= new Dictionary<string, string>(StringComparer.Ordinal);
            TraceHeaders.Write(context, headers);
        }

        // Published by a handler: the conversation goes on under the handled message's correlation id,
        // or under that message's id when it had none.
        if (IncomingMessage.Current is { } incoming && (headers is null || !headers.ContainsKey(TransportMessage.CorrelationIdHeader)))
        {
            headers ??= new Dictionary<string, string>(StringComparer.Ordinal);
            headers[TransportMessage.CorrelationIdHeader] = incoming.Headers.GetValueOrDefault(TransportMessage.CorrelationIdHeader) ?? incoming.MessageId.ToString();
        }

        return headers ?? NoHeaders;
    }
}
