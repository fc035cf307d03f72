namespace Outbox.Dispatching;

internal enum RelayStatus
{
    /// <summary>Not accepted; the row counts an attempt. The default, so a row nobody reported on is never taken as sent.</summary>
    Failed = 0,

    Sent,

    /// <summary>Not tried (the circuit is open); no attempt is counted.</summary>
    Deferred,

    /// <summary>
    /// The broker could not be reached (the transport answered <c>Unavailable</c>, or the send threw or ran
    /// out of time); no attempt is counted, so an outage, however long, dead-letters nothing. The circuit
    /// breaker decides when the next send is tried.
    /// </summary>
    Unreachable,
}
