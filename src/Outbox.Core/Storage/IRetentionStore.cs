namespace Outbox.Storage;

/// <summary>What the retention job needs: deleting finished outbox rows and old inbox rows, in batches.</summary>
internal interface IRetentionStore
{
    /// <summary>Deletes up to <paramref name="batchSize"/> dispatched or rolled-back rows older than <paramref name="before"/>.</summary>
    Task<int> DeleteFinishedAsync(DateTime before, int batchSize, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> inbox rows received before <paramref name="before"/>.</summary>
    Task<int> DeleteInboxAsync(DateTime before, int batchSize, CancellationToken cancellationToken);
}
