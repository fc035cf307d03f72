using Outbox.EntityFrameworkCore.Storage;
using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Interception;

/// <summary>A message published through one context, and its row, followed until its transaction ends.</summary>
internal sealed class PublishedMessage(StoredMessage message, OutboxRecord row, long? transaction)
{
    /// <summary>The message as published; numbered when saved, if its route is numbered.</summary>
    public StoredMessage Message { get; set; } = message;

    public OutboxRecord Row { get; } = row;

    /// <summary>The generation of the transaction the row belongs to (published or saved in); none outside a transaction.</summary>
    public long? Transaction { get; set; } = transaction;

    public bool Saving { get; set; }

    public bool Saved { get; set; }
}
