namespace Outbox.Transport;

/// <summary>
/// The broker cannot be reached now: the connection was refused or timed out, its name does not resolve, or
/// it is starting up. A transport throws it where the outage will pass by itself; at start-up the service
/// starts all the same (unless <see cref="OutboxOptions.RequireBrokerAtStart"/> is set), publishing goes on
/// into the outbox, and the transport connects once the broker answers. Anything else a transport throws at
/// start-up (refused credentials, an unknown virtual host, a queue declared with other arguments) is a
/// setting to fix, and stops the start.
/// </summary>
public sealed class TransportUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransportUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TransportUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public TransportUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
