using Outbox.Storage;

namespace Outbox.EntityFrameworkCore.Interception;

/// <summary>A row published through one context, followed until its transaction ends.</summary>
internal sealed class PublishedMessage(OutboxRecord row, long? transaction)
{
    public OutboxRecord Row { get; } = row;

    /// <summary>The generation of the transaction the row belongs to (published or saved in); none outside a transaction.</summary>
    public long? Transaction { get; set; } = transaction;

    public bool Saving { get; set; }

    public bool Saved { get; set; }
}
