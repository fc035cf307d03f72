using System.Collections.Concurrent;
using System.Diagnostics;

namespace Outbox.Benchmarks;

/// <summary>
/// How long each message spent in the consumer before its handler ran: from the start of its consumer span
/// (<c>{source} process</c>, begun when the consumer takes the delivery up) to the handler, so through the
/// inbox pipeline. Samples the outbox's consumer spans only.
/// </summary>
internal sealed class ConsumerTimes : IDisposable
{
    private readonly ConcurrentQueue<double> _values = new();
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == "Outbox",
        Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
            options.Kind == ActivityKind.Consumer ? ActivitySamplingResult.AllData : ActivitySamplingResult.None,
    };

    public ConsumerTimes() => ActivitySource.AddActivityListener(_listener);

    /// <summary>Called by the handler: records the time since its consumer span began.</summary>
    public void Record()
    {
        if (Activity.Current is { Kind: ActivityKind.Consumer } span)
        {
            _values.Enqueue((DateTime.UtcNow - span.StartTimeUtc).TotalMilliseconds);
        }
    }

    /// <summary>The times recorded, in the order the handlers ran, after the first <paramref name="skip"/>.</summary>
    public List<double> Values(int skip) => [.. _values.Skip(skip)];

    public void Dispose() => _listener.Dispose();
}
