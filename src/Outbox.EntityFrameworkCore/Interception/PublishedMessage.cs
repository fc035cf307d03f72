using Outbox.EntityFrameworkCore.Storage;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Interception;

/// <summary>A message published through one context, and its row, followed until its transaction ends.</summary>
internal sealed class PublishedMessage(StoredMessage message, OutboxRecord row, long? transaction)
{
    public StoredMessage Message { get; } = message;

    public OutboxRecord Row { get; } = row;

    /// <summary>The generation of the transaction the row belongs to (published or saved in); none outside a transaction.</summary>
    public long? Transaction { get; set; } = transaction;

    public bool Saving { get; set; }

    public bool Saved { get; set; }
}
