namespace Outbox.Storage;

/// <summary>What consumers need from the database besides the inbox pipeline: setting a delivery aside.</summary>
internal interface IInboxStore
{
    /// <summary>Sets aside a delivery a consumer could not handle, with the consumer's name and the reason.</summary>
    Task DeadLetterDeliveryAsync(Outbox.Transport.TransportMessage message, string consumer, string reason, int attempts, string? error, DateTime now, CancellationToken cancellationToken);
}
