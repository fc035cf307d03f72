namespace Outbox;

/// <summary>
/// A commit or rollback arrived after the half message had already been decided the other way (by a
/// check callback, or by the check limit). The first decision stands.
/// </summary>
public sealed class TransactionConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransactionConflictException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TransactionConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TransactionConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a message and the outcome that stands.</summary>
    public TransactionConflictException(Guid messageId, TransactionOutcome standing)
        : base($"Message {messageId} was already {(standing == TransactionOutcome.Committed ? "committed" : "rolled back")}; the later, contrary decision was not applied.")
    {
        MessageId = messageId;
        Standing = standing;
    }

    /// <summary>The message id.</summary>
    public Guid MessageId { get; }

    /// <summary>The decision that stands.</summary>
    public TransactionOutcome Standing { get; }
}
