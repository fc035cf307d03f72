namespace Outbox.Transport;

/// <summary>The result of sending one message.</summary>
/// <param name="Status">Sent, failed, unroutable or unavailable.</param>
/// <param name="Error">Why it was not sent; <see langword="null"/> when sent.</param>
public readonly record struct SendResult(SendStatus Status, string? Error = null)
{
    /// <summary>A message the broker accepted.</summary>
    public static SendResult Sent { get; } = new(SendStatus.Sent);

    /// <summary>A message that could not be sent, with the reason.</summary>
    public static SendResult Failed(string error) => new(SendStatus.Failed, error);

    /// <summary>A message for which the broker had no destination.</summary>
    public static SendResult Unroutable(string error) => new(SendStatus.Unroutable, error);

    /// <summary>A message that could not be sent because the broker could not be reached.</summary>
    public static SendResult Unavailable(string error) => new(SendStatus.Unavailable, error);
}
