using System.Diagnostics;

namespace Outbox.Telemetry;

/// <summary>W3C trace context in message headers (<c>traceparent</c>, <c>tracestate</c>): written when a message is published, read when it is sent and when it is consumed.</summary>
internal static class TraceHeaders
{
    /// <summary>Writes <paramref name="activity"/>'s context into <paramref name="headers"/>.</summary>
    public static void Write(Activity activity, Dictionary<string, string> headers) =>
        DistributedContextPropagator.Current.Inject(activity, headers, static (carrier, key, value) =>
        {
            if (carrier is Dictionary<string, string> map && value is not null)
            {
                map[key] = value;
            }
        });

    /// <summary>The context a message was published in; <see langword="default"/> when it carries none, or a malformed one.</summary>
    public static ActivityContext Read(IReadOnlyDictionary<string, string> headers)
    {
        DistributedContextPropagator.Current.ExtractTraceIdAndState(
            headers,
            static (carrier, key, out value, out values) =>
            {
                values = null;
                value = carrier is IReadOnlyDictionary<string, string> map ? map.GetValueOrDefault(key) : null;
            },
            out var parent,
            out var state);
        return ActivityContext.TryParse(parent, state, out var context) ? context : default;
    }
}
