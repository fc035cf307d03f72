namespace Outbox.Publishing;

/// <summary>Maps message types to the names that travel on the wire, and back.</summary>
internal sealed class MessageTypeRegistry
{
    private readonly Dictionary<Type, string> _names = [];
    private readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);

    public string Add(Type type, string? name)
    {
        name ??= type.Name;
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_types.TryGetValue(name, out var existing) && existing != type)
        {
            throw new ArgumentException($"The message type name '{name}' is already used by '{existing.FullName}'.", nameof(name));
        }

        if (_names.TryGetValue(type, out var existingName) && existingName != name)
        {
            throw new ArgumentException($"'{type.FullName}' is already registered as '{existingName}'.", nameof(name));
        }

        _names[type] = name;
        _types[name] = type;
        return name;
    }

    public bool TryGetName(Type type, out string name) => _names.TryGetValue(type, out name!);

    public bool TryGetType(string name, out Type type) => _types.TryGetValue(name, out type!);
}
