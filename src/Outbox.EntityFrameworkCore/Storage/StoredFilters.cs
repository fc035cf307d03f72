using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>The public filters as query conditions on the rows; an unset property adds no condition.</summary>
internal static class StoredFilters
{
    public static IQueryable<DeadLetterRecord> Where(this IQueryable<DeadLetterRecord> rows, DeadLetterFilter? filter)
    {
        if (filter is null)
        {
            return rows;
        }

        if (filter.MessageIds is { } ids)
        {
            var list = ids.ToList();
            rows = rows.Where(d => list.Contains(d.MessageId));
        }

        if (filter.Source is { } source)
        {
            rows = rows.Where(d => d.Source == source);
        }

        if (filter.Consumer is { } consumer)
        {
            rows = rows.Where(d => d.ConsumerName == consumer);
        }

        if (filter.Reason is { } reason)
        {
            rows = rows.Where(d => d.Reason == reason);
        }

        if (filter.Destination is { } destination)
        {
            rows = rows.Where(d => d.Destination == destination);
        }

        if (filter.Since is { } since)
        {
            var from = since.UtcDateTime;
            rows = rows.Where(d => d.DeadLetteredAt >= from);
        }

        if (filter.Before is { } before)
        {
            var until = before.UtcDateTime;
            rows = rows.Where(d => d.DeadLetteredAt < until);
        }

        return rows;
    }

    public static IQueryable<OutboxRecord> Where(this IQueryable<OutboxRecord> rows, MessageFilter? filter)
    {
        if (filter is null)
        {
            return rows;
        }

        if (filter.Status is { } status)
        {
            rows = rows.Where(r => r.Status == status);
        }

        if (filter.Kind is { } kind)
        {
            rows = rows.Where(r => r.Kind == kind);
        }

        if (filter.Destination is { } destination)
        {
            rows = rows.Where(r => r.Destination == destination);
        }

        if (filter.MessageType is { } type)
        {
            rows = rows.Where(r => r.MessageType == type);
        }

        if (filter.Key is { } key)
        {
            rows = rows.Where(r => r.MessageKey == key);
        }

        if (filter.Since is { } since)
        {
            var from = since.UtcDateTime;
            rows = rows.Where(r => r.CreatedAt >= from);
        }

        if (filter.Before is { } before)
        {
            var until = before.UtcDateTime;
            rows = rows.Where(r => r.CreatedAt < until);
        }

        return rows;
    }
}
