using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Storage;

/// <summary>The one statement that differs between databases: leasing a batch of due rows.</summary>
internal static class ClaimSql
{
    private const string PostgreSql = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private const string Sqlite = "Microsoft.EntityFrameworkCore.Sqlite";

    public static bool IsSupported(string? provider) => provider is PostgreSql or Sqlite;

    /// <summary>
    /// Leases due pending rows, longest due first, that are first in line for their key: no older row
    /// with the same key is pending, or prepared by the interceptor (in flight, or committed and not
    /// yet recovered). On
    /// PostgreSQL, <c>FOR UPDATE SKIP LOCKED</c> keeps concurrent claims apart; SQLite has one writer.
    /// Parameters: {0} owner, {1} lease until, {2} now, {3} batch size.
    /// </summary>
    public static string For(DbContext context)
    {
        var entity = context.Model.FindEntityType(typeof(OutboxRecord))!;
        var table = context.GetService<ISqlGenerationHelper>().DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
        var locking = context.Database.ProviderName == PostgreSql ? "FOR UPDATE SKIP LOCKED" : "";
        const int pending = (int)MessageStatus.Pending;
        const int prepared = (int)MessageStatus.Prepared;
        const int outbox = (int)MessageKind.Outbox;
        return $$"""
            UPDATE {{table}} SET lease_owner = {0}, lease_expires_at = {1}
            WHERE id IN (
                SELECT m.id FROM {{table}} m
                WHERE m.status = {{pending}} AND m.next_attempt_at <= {2}
                  AND (m.lease_expires_at IS NULL OR m.lease_expires_at <= {2})
                  AND (m.message_key IS NULL OR NOT EXISTS (
                      SELECT 1 FROM {{table}} e
                      WHERE e.message_key = m.message_key AND e.id < m.id
                        AND e.status < 2 AND (e.status = {{pending}} OR (e.status = {{prepared}} AND e.kind = {{outbox}}))))
                ORDER BY m.next_attempt_at, m.id
                LIMIT {3}
                {{locking}})
            RETURNING *
            """;
    }
}
