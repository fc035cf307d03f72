using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Outbox.EntityFrameworkCore.Dialects;

/// <summary>The outbox's tables as the context's model names them (schema included), delimited for its database.</summary>
internal static class Tables
{
    public static string Of<TRecord>(DbContext context)
    {
        var entity = Entity<TRecord>(context);
        return context.GetService<ISqlGenerationHelper>().DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
    }

    /// <summary>The outbox's <typeparamref name="TRecord"/> in the context's model; a context without the outbox's tables is refused, saying what to call.</summary>
    public static IEntityType Entity<TRecord>(DbContext context)
    {
        var name = context.GetType().Name;
        return context.Model.FindEntityType(typeof(TRecord))
            ?? throw new InvalidOperationException($"{name} has no outbox tables: call modelBuilder.AddOutboxTables() in {name}.OnModelCreating.");
    }
}
