using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Xunit;

namespace Outbox.Testing;

/// <summary>What a sample service's checked-in migrations must do on an empty database of their provider.</summary>
public static class SampleMigrations
{
    /// <summary>
    /// On an empty database from <paramref name="newDatabase"/>, asserts of the context <paramref name="open"/> makes
    /// for its connection string what <see cref="AssertMatchTheModelAndCreateItAsync"/> asserts.
    /// </summary>
    public static async Task AssertOnAnEmptyDatabaseAsync(Func<ITestDatabase> newDatabase, Func<string, DbContext> open, string table)
    {
        await using var database = newDatabase();
        await database.CreateEmptyAsync();
        await using var db = open(database.ConnectionString);
        await AssertMatchTheModelAndCreateItAsync(db, table);
    }

    /// <summary>
    /// Asserts that <paramref name="db"/>'s model has no changes its migrations lack, and that the migrations
    /// create <paramref name="table"/> and the outbox, inbox and dead-letter tables, empty.
    /// </summary>
    public static async Task AssertMatchTheModelAndCreateItAsync(DbContext db, string table)
    {
        Assert.False(db.Database.HasPendingModelChanges(), $"{db.GetType().Name}'s model has changed since its last migration: add one with dotnet ef migrations add.");
        Assert.NotEmpty(db.Database.GetMigrations());
        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        foreach (var name in new[] { table, "outbox_messages", "inbox_messages", "outbox_dead_letters" })
        {
            await using DbCommand count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM {db.GetService<ISqlGenerationHelper>().DelimitIdentifier(name)}";
            Assert.Equal(0L, Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
