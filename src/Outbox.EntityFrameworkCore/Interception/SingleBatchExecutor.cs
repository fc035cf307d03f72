using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using Microsoft.EntityFrameworkCore.Update.Internal;

namespace Outbox.EntityFrameworkCore.Interception;

// EF1001: EF Core's own executor is extended, not copied; everything but the one case below is its code.
#pragma warning disable EF1001

/// <summary>
/// Saves an order and its outbox message in one round trip on PostgreSQL. EF Core wraps a SaveChanges of
/// several statements in a transaction, which costs a second round trip for the <c>COMMIT</c>. When the
/// statements all go in one batch and every one of them is an <c>INSERT</c>, PostgreSQL already runs the
/// batch as one implicit transaction (one Sync message: a statement that fails rolls back the ones before
/// it), so the explicit transaction adds nothing but the round trip. Any other save (an update or a delete,
/// whose rows-affected check EF Core makes after the batch has run; several batches; a transaction of the
/// application's, ambient or explicit; <c>AutoTransactionBehavior</c> other than <c>WhenNeeded</c>) runs
/// exactly as EF Core runs it. <c>UseOutbox</c> puts it in place only for a database whose dialect runs a batch
/// as one transaction.
/// </summary>
internal sealed class SingleBatchExecutor(ICurrentDbContext currentContext, IDiagnosticsLogger<DbLoggerCategory.Update> updateLogger)
    : BatchExecutor(currentContext, updateLogger)
{
    public override int Execute(IEnumerable<ModificationCommandBatch> commandBatches, IRelationalConnection connection)
    {
        using var batches = commandBatches.GetEnumerator();
        if (!batches.MoveNext())
        {
            return 0;
        }

        if (!RunsAlone(batches.Current, connection))
        {
            return base.Execute(Rest(batches), connection);
        }

        connection.Open();
        try
        {
            batches.Current.Execute(connection);
            return batches.Current.ModificationCommands.Count;
        }
        finally
        {
            connection.Close();
        }
    }

    public override async Task<int> ExecuteAsync(IEnumerable<ModificationCommandBatch> commandBatches, IRelationalConnection connection, CancellationToken cancellationToken = default)
    {
        using var batches = commandBatches.GetEnumerator();
        if (!batches.MoveNext())
        {
            return 0;
        }

        if (!RunsAlone(batches.Current, connection))
        {
            return await base.ExecuteAsync(Rest(batches), connection, cancellationToken).ConfigureAwait(false);
        }

        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await batches.Current.ExecuteAsync(connection, cancellationToken).ConfigureAwait(false);
            return batches.Current.ModificationCommands.Count;
        }
        finally
        {
            await connection.CloseAsync().ConfigureAwait(false);
        }
    }

    private bool RunsAlone(ModificationCommandBatch batch, IRelationalConnection connection) =>
        batch is { AreMoreBatchesExpected: false, RequiresTransaction: true }
        && batch.ModificationCommands.All(c => c.EntityState == EntityState.Added)
        && connection.CurrentTransaction is null
        && connection is ITransactionEnlistmentManager { EnlistedTransaction: null, CurrentAmbientTransaction: null }
        && CurrentContext.Context.Database.AutoTransactionBehavior == AutoTransactionBehavior.WhenNeeded;

    // The batches from the one already taken on, for EF Core's executor.
    private static IEnumerable<ModificationCommandBatch> Rest(IEnumerator<ModificationCommandBatch> batches)
    {
        do
        {
            yield return batches.Current;
        }
        while (batches.MoveNext());
    }
}
