namespace Outbox.Storage;

/// <summary>How a <see cref="MessageStatus.Prepared"/> message is decided when no decision reaches it.</summary>
public enum MessageKind
{
    /// <summary>Written by the outbox interceptor: a visible row was committed.</summary>
    Outbox = 0,

    /// <summary>An explicit half message: a check callback decides.</summary>
    Transactional = 1,
}
