using Outbox.EntityFrameworkCore.Dialects;

namespace Outbox.EntityFrameworkCore;

/// <summary>
/// The database an Entity Framework Core outbox store runs on, given to
/// <c>UseEntityFrameworkCore&lt;TContext&gt;(database =&gt; database.UsePostgreSql())</c>: the few statements that
/// differ between databases (claiming rows, skipping locked ones, inserting unless present) follow it. Start-up
/// checks that the context's database is that one, at the version the outbox needs.
/// </summary>
public sealed class EntityFrameworkCoreStoreBuilder
{
    internal EntityFrameworkCoreStoreBuilder()
    {
    }

    internal StoreDialect? Dialect { get; private set; }

    /// <summary>PostgreSQL 12 or later, through Npgsql's provider (<c>UseNpgsql</c>).</summary>
    /// <returns>This builder.</returns>
    public EntityFrameworkCoreStoreBuilder UsePostgreSql() => Use(PostgreSqlDialect.Instance);

    /// <summary>SQLite 3.35 or later, through EF Core's provider (<c>UseSqlite</c>); one writer at a time, for development, tests and small services.</summary>
    /// <returns>This builder.</returns>
    public EntityFrameworkCoreStoreBuilder UseSqlite() => Use(SqliteDialect.Instance);

    /// <summary>
    /// MariaDB 10.6 or later, or MySQL 8.0.1 or later, through Oracle's provider (<c>MySql.EntityFrameworkCore</c>,
    /// <c>UseMySQL</c>). The context's <c>ExecuteDelete</c> commands and migration lock are rewritten into forms MariaDB runs.
    /// </summary>
    /// <returns>This builder.</returns>
    public EntityFrameworkCoreStoreBuilder UseMySql() => Use(MySqlDialect.Instance);

    private EntityFrameworkCoreStoreBuilder Use(StoreDialect dialect)
    {
        Dialect = dialect;
        return this;
    }
}
