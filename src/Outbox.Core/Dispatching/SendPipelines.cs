using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.Dispatching;

/// <summary>
/// The send pipeline of each transport a row can go to: the default one, and those routes name
/// (<see cref="OutboxOptions.RouteTransports"/>). Each has its own retry and circuit breaker, so a broker
/// that is down holds back only the messages routed to it.
/// </summary>
internal sealed class SendPipelines
{
    private readonly SendPipeline _default;
    private readonly OutboxTransports? _transports;
    private readonly Func<string, SendPipeline>? _create;
    private readonly IOptions<OutboxOptions>? _options;
    private readonly ConcurrentDictionary<string, SendPipeline> _named = new(StringComparer.OrdinalIgnoreCase);
    private string? _defaultName;

    /// <summary>One pipeline for every row.</summary>
    public SendPipelines(SendPipeline single) => _default = single;

    public SendPipelines(SendPipeline defaultPipeline, OutboxTransports transports, Func<string, SendPipeline> create, IOptions<OutboxOptions> options)
    {
        _default = defaultPipeline;
        _transports = transports;
        _create = create;
        _options = options;
    }

    /// <summary>The only pipeline, when no route names a transport of its own; <see langword="null"/> otherwise.</summary>
    public SendPipeline? Single => _options is null || _options.Value.RouteTransports.Count == 0 ? _default : null;

    /// <summary>Whether every pipeline in use refuses sends: the poller then waits out the break.</summary>
    public bool AllCircuitsOpen => _default.IsCircuitOpen && _named.Values.All(p => p.IsCircuitOpen);

    /// <summary>How long from <paramref name="now"/> every pipeline in use refuses sends, or <see langword="null"/> when one may send.</summary>
    public TimeSpan? RefusedFor(DateTimeOffset now)
    {
        TimeSpan? shortest = _default.RefusedFor(now);
        foreach (var pipeline in _named.Values)
        {
            if (shortest is null)
            {
                return null;
            }

            var refused = pipeline.RefusedFor(now);
            shortest = refused is null ? null : refused < shortest ? refused : shortest;
        }

        return shortest;
    }

    /// <summary>The pipeline of the transport <paramref name="row"/>'s message type is routed to.</summary>
    public SendPipeline For(StoredMessage row) =>
        _options is not null &&
        _options.Value.RouteTransports.TryGetValue(row.MessageType, out var name) &&
        !string.Equals(name, _defaultName ??= _transports!.DefaultName, StringComparison.OrdinalIgnoreCase)
            ? _named.GetOrAdd(name, _create!)
            : _default;
}
