namespace Outbox;

/// <summary>A message cannot be published as asked: the reason is in the message.</summary>
public sealed class OutboxException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutboxException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OutboxException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public OutboxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
