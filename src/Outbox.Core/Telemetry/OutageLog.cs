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
    private DateTimeOffset? _endedAt;
    private bool _relapse;

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

    /// <summary>
    /// An attempt failed: a warning with <paramref name="error"/> when it starts an outage, a debug line inside
    /// one. A failure within <paramref name="retryEvery"/> of an outage's end belongs to that outage (a pool's
    /// connections broken by a database restart fail one by one after the first new one got through): no
    /// second warning, and no second line when it answers again.
    /// </summary>
    /// <returns>Whether this failure started the outage.</returns>
    public bool Failed(Exception error, TimeSpan retryEvery)
    {
        lock (_gate)
        {
            if (_since is null)
            {
                var now = timeProvider.GetUtcNow();
                _since = now;
                _relapse = _endedAt is { } ended && now - ended < retryEvery;
                if (!_relapse)
                {
                    Log.DatabaseUnreachable(logger, error, component, retryEvery);
                    return true;
                }
            }
        }

        Log.DatabaseStillUnreachable(logger, component, error.Message);
        return false;
    }

    /// <summary>An attempt succeeded: one line when it ends an outage, nothing otherwise.</summary>
    public void Answered()
    {
        DateTimeOffset? since;
        bool relapse;
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            since = _since;
            relapse = _relapse;
            if (since is not null)
            {
                _since = null;
                _endedAt = now;
            }
        }

        if (since is { } start && !relapse)
        {
            Log.DatabaseAnswersAgain(logger, component, now - start);
        }
    }
}
