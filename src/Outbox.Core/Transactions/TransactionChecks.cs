using Microsoft.Extensions.Options;

namespace Outbox.Transactions;

/// <summary>The registered check callbacks, by message type and by wire name.</summary>
internal sealed class TransactionChecks
{
    private readonly Dictionary<Type, TransactionCheckRegistration> _byType = [];
    private readonly Dictionary<string, (Type Type, TransactionCheckRegistration Check)> _byName = new(StringComparer.Ordinal);

    public TransactionChecks(IEnumerable<TransactionCheckRegistration> registrations, IOptions<OutboxOptions> options)
    {
        foreach (var registration in registrations)
        {
            _byType[registration.MessageType] = registration;
            if (options.Value.MessageTypes.TryGetName(registration.MessageType, out var name))
            {
                _byName[name] = (registration.MessageType, registration);
            }
        }

        TypeNames = [.. _byName.Keys];
    }

    /// <summary>The wire names of the message types that have a check.</summary>
    public IReadOnlyCollection<string> TypeNames { get; }

    public bool Has(Type messageType) => _byType.ContainsKey(messageType);

    public bool TryGet(string typeName, out Type type, out TransactionCheckRegistration check)
    {
        var found = _byName.TryGetValue(typeName, out var entry);
        (type, check) = entry;
        return found;
    }
}
