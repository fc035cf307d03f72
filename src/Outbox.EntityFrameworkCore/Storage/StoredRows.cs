using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>What the stores share: the dead-letter row of an outbox message, unsent rows, bodies as byte arrays, and error texts cut to the column's length.</summary>
internal static class StoredRows
{
    public static DeadLetterRecord DeadLetter(DeadLetterRequest request, DateTimeOffset now) => new()
    {
        MessageId = request.Message.MessageId,
        Destination = request.Message.Destination,
        MessageType = request.Message.MessageType,
        MessageKey = request.Message.Key,
        Payload = Bytes(request.Message.Body),
        Headers = HeadersJson.Write(request.Message.Headers),
        Source = request.Source,
        Reason = request.Reason,
        Attempts = request.Attempts,
        LastError = Truncate(request.LastError),
        CreatedAt = request.Message.CreatedAt.UtcDateTime,
        DeadLetteredAt = now.UtcDateTime,
    };

    public static IQueryable<OutboxRecord> Unsent(DbContext context) => context.Set<OutboxRecord>()
        .Where(r => r.Status == MessageStatus.Pending || (r.Status == MessageStatus.Prepared && r.Kind == MessageKind.Outbox));

    /// <summary>A body as the <c>payload</c> column takes it: its own array when it is one whole array (from the serializer, or read from a row), else a copy.</summary>
    public static byte[] Bytes(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToArray();

    /// <summary>A time read from a column, which holds UTC whatever kind the provider gives it.</summary>
    public static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    /// <inheritdoc cref="Utc(DateTime)"/>
    public static DateTimeOffset? Utc(DateTime? at) => at is { } value ? Utc(value) : null;

    public static string? Truncate(string? error) =>
        error is { Length: > ModelBuilderExtensions.ErrorLength } ? error[..ModelBuilderExtensions.ErrorLength] : error;
}
