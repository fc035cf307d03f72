using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Outbox.EntityFrameworkCore.Dialects;

/// <summary>The outbox's tables as the context's model names them (schema included), delimited for its database.</summary>
internal static class Tables
{
    public static string Of<TRecord>(DbContext context)
    {
        var entity = context.Model.FindEntityType(typeof(TRecord))
            ?? throw new InvalidOperationException($"{context.GetType().Name} has no outbox tables: call modelBuilder.AddOutboxTables() in its OnModelCreating.");
        return context.GetService<ISqlGenerationHelper>().DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
    }
}
