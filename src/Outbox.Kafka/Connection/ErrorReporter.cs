using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Outbox.Kafka.Telemetry;

namespace Outbox.Kafka.Connection;

/// <summary>
/// Logs a client's errors as librdkafka reports them: a warning for the first error after the client last
/// worked (a broker went away, say), not one per retry; librdkafka's own log lines at debug level.
/// </summary>
internal sealed class ErrorReporter(string client, ILogger logger)
{
    private volatile bool _failing;

    public string Client => client;

    /// <summary>A non-fatal error: librdkafka recovers by itself.</summary>
    public void Report(Error error)
    {
        if (!_failing)
        {
            _failing = true;
            Log.ClientError(logger, client, error.Reason);
        }
    }

    /// <summary>The client works again: the next error is logged.</summary>
    public void Healthy() => _failing = false;

    public void Native(LogMessage message) => Log.Native(logger, client, message.Facility, message.Message);
}
