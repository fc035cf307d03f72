using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Outbox.EntityFrameworkCore.Dialects;

namespace Outbox.EntityFrameworkCore.Inbox;

/// <summary>
/// Inserts an inbox row unless the message is already there for the consumer. A duplicate is normal
/// operation, so it shows as zero rows affected, not as a failed insert that EF Core logs as an error.
/// A concurrent duplicate waits on the key until the first transaction ends, as a plain insert would.
/// Parameters: {0} message id, {1} consumer, {2} received at.
/// </summary>
internal static class InboxSql
{
    public static string InsertIfAbsent(DbContext context, StoreDialect dialect)
    {
        var entity = context.Model.FindEntityType(typeof(InboxRecord))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = context.GetService<ISqlGenerationHelper>();
        var columns = string.Join(
            ", ",
            new[] { nameof(InboxRecord.MessageId), nameof(InboxRecord.Consumer), nameof(InboxRecord.ReceivedAt) }
                .Select(property => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!)));
        var target = sql.DelimitIdentifier(table.Name, table.Schema);
        return dialect.InsertIfAbsent(target, columns);
    }
}
