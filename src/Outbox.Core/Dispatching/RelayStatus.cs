namespace Outbox.Dispatching;

internal enum RelayStatus
{
    /// <summary>Not accepted; the row counts an attempt. The default, so a row nobody reported on is never taken as sent.</summary>
    Failed = 0,

    Sent,

    /// <summary>Not tried (the circuit is open); no attempt is counted.</summary>
    Deferred,
}
