namespace Outbox.EntityFrameworkCore.Dialects;

/// <summary>The dialect chosen for a context type by <c>UseEntityFrameworkCore</c>; one per registered context.</summary>
internal sealed record ContextDialect(Type ContextType, StoreDialect Dialect)
{
    /// <summary>The dialect of <paramref name="contextType"/>: its own, or that of the registered type it derives from.</summary>
    public static StoreDialect? Find(IEnumerable<ContextDialect> registered, Type contextType) =>
        registered.FirstOrDefault(d => d.ContextType == contextType)?.Dialect
        ?? registered.FirstOrDefault(d => d.ContextType.IsAssignableFrom(contextType))?.Dialect;
}
