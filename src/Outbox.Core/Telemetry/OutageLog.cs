using Microsoft.Extensions.Logging;

namespace Outbox.Telemetry;

/// <summary>
/// What one component logs of an outage of the database: one warning with the exception when it starts,
/// what repeats inside it at debug level, and one information line when the database answers again,
/// however long the outage lasts.
/// </summary>
/// <param name="logger">Where the lines go.</param>
/// <param name="component">The component, as a sentence starts: "The dispatcher", "Consumer payments".</param>
/// <param name="timeProvider">The clock the outage's length is measured on.</param>
internal sealed class OutageLog(ILogger logger, string component, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _since;

    /// <summary>Whether the last attempt failed and none has succeeded since.</summary>
    public bool IsDown
    {
        get
        {
            lock (_gate)
            {
                return _since is not null;
            }
        }
    }

    /// <summary>An attempt failed: a warning with <paramref name="error"/> when it starts an outage, a debug line inside one.</summary>
    /// <returns>Whether this failure started the outage.</returns>
    public bool Failed(Exception error, TimeSpan retryEvery)
    {
        lock (_gate)
        {
            if (_since is null)
            {
                _since = timeProvider.GetUtcNow();
                Log.DatabaseUnreachable(logger, error, component, retryEvery);
                return true;
            }
        }

        Log.DatabaseStillUnreachable(logger, component, error.Message);
        return false;
    }

    /// <summary>An attempt succeeded: one line when it ends an outage, nothing otherwise.</summary>
    public void Answered()
    {
        DateTimeOffset? since;
        lock (_gate)
        {
            since = _since;
            _since = null;
        }

        if (since is { } start)
        {
            Log.DatabaseAnswersAgain(logger, component, timeProvider.GetUtcNow() - start);
        }
    }
}
