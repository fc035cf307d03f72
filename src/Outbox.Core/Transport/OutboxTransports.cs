using Microsoft.Extensions.Options;
using Outbox.Consumers;

namespace Outbox.Transport;

/// <summary>
/// The transports this service registered (<c>UseInMemoryTransport</c>, <c>UseRabbitMQ</c>, <c>UseTransport</c>),
/// and which of them it uses: the default one, named by <c>Outbox:Transport</c> (or the only one
/// registered), and those its routes and consumers name.
/// </summary>
public sealed class OutboxTransports
{
    private readonly Dictionary<string, TransportRegistration> _registered;
    private readonly IServiceProvider _services;
    private readonly IOptions<OutboxOptions> _options;
    private readonly IEnumerable<ConsumerRegistration> _consumers;

    internal OutboxTransports(IEnumerable<TransportRegistration> registered, IEnumerable<ConsumerRegistration> consumers, IServiceProvider services, IOptions<OutboxOptions> options)
    {
        _registered = registered.ToDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);
        _consumers = consumers;
        _services = services;
        _options = options;
    }

    /// <summary>The names of the registered transports.</summary>
    public IReadOnlyCollection<string> Names => _registered.Keys;

    /// <summary>The transport messages are sent through and consumers read from unless they name another.</summary>
    /// <exception cref="InvalidOperationException">None is registered, or several and <c>Outbox:Transport</c> does not choose one of them.</exception>
    public string DefaultName => ChooseDefault(_registered.Keys, _options.Value.Transport, out var problem) ?? throw new InvalidOperationException(problem);

    /// <summary>Whether this service sends or receives through the transport <paramref name="name"/>: by default, for a route, or for a consumer.</summary>
    public bool IsUsed(string name) =>
        string.Equals(DefaultName, name, StringComparison.OrdinalIgnoreCase) ||
        _options.Value.RouteTransports.Values.Any(route => string.Equals(route, name, StringComparison.OrdinalIgnoreCase)) ||
        _consumers.Any(c => string.Equals(c.Transport, name, StringComparison.OrdinalIgnoreCase));

    internal ITransport Default() => Get(DefaultName);

    /// <summary>
    /// The send side of the transport registered as <paramref name="name"/>. What it sends bypasses the
    /// outbox: no transaction, no retry, no dead letter.
    /// </summary>
    /// <exception cref="InvalidOperationException">No transport is registered under that name.</exception>
    public ITransport Get(string name) => Registration(name, "A route's Transport").Transport(_services);

    /// <summary>The receive side a consumer reads, or <see langword="null"/> when its transport cannot receive.</summary>
    internal IMessageReceiver? ReceiverOf(string? name) =>
        Registration(name ?? DefaultName, "the consumer's Transport").Receiver?.Invoke(_services);

    /// <summary>The default transport's name, or <see langword="null"/> and why there is none. Also what start-up validation reports.</summary>
    internal static string? ChooseDefault(IReadOnlyCollection<string> registered, string? chosen, out string problem)
    {
        problem = "";
        if (chosen is { Length: > 0 })
        {
            var match = registered.FirstOrDefault(name => string.Equals(name, chosen, StringComparison.OrdinalIgnoreCase));
            problem = match is null ? Unknown("Outbox:Transport", chosen, registered) : "";
            return match;
        }

        switch (registered.Count)
        {
            case 1:
                return registered.Single();
            case 0:
                problem = "No outbox transport is configured: call UseInMemoryTransport(), UseRabbitMQ() or UseKafka() on the builder AddOutbox returns.";
                return null;
            default:
                problem = $"Several outbox transports are registered ({string.Join(", ", registered)}): choose the default one with Outbox:Transport.";
                return null;
        }
    }

    /// <summary>The message for a setting that names no registered transport.</summary>
    internal static string Unknown(string setting, string name, IReadOnlyCollection<string> registered) =>
        $"{setting} is '{name}', which is not a registered transport; registered: {(registered.Count == 0 ? "none" : string.Join(", ", registered))}.";

    private TransportRegistration Registration(string name, string setting) =>
        _registered.TryGetValue(name, out var registration)
            ? registration
            : throw new InvalidOperationException(Unknown(setting, name, _registered.Keys));
}
