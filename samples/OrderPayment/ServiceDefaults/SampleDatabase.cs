using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace OrderPayment.ServiceDefaults;

/// <summary>The database a service keeps its data and its outbox in: <c>Database:Provider</c> and <c>ConnectionStrings:{name}</c>.</summary>
public static class SampleDatabase
{
    public const string Sqlite = "Sqlite";

    public const string PostgreSql = "PostgreSQL";

    public const string MySql = "MySql";

    /// <summary><c>Database:Provider</c>: <see cref="Sqlite"/> (the default), <see cref="PostgreSql"/> or <see cref="MySql"/> (MariaDB or MySQL).</summary>
    public static string Provider(IConfiguration configuration) => configuration["Database:Provider"] switch
    {
        null or "" => Sqlite,
        var p when p.Equals(Sqlite, StringComparison.OrdinalIgnoreCase) => Sqlite,
        var p when p.Equals(PostgreSql, StringComparison.OrdinalIgnoreCase) => PostgreSql,
        var p when p.Equals(MySql, StringComparison.OrdinalIgnoreCase) => MySql,
        var p => throw new InvalidOperationException($"Database:Provider is '{p}'; it must be {Sqlite}, {PostgreSql} or {MySql}."),
    };

    /// <summary>
    /// The connection string <paramref name="name"/>. On SQLite a relative database file is placed in the
    /// service's content root, so that each service keeps its file in its own folder.
    /// </summary>
    public static string ConnectionString(IConfiguration configuration, IHostEnvironment environment, string name)
    {
        var configured = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException($"ConnectionStrings:{name} is not set: add it to {Path.Combine(environment.ContentRootPath, "appsettings.json")} or set ConnectionStrings__{name}.");
        }

        if (Provider(configuration) != Sqlite)
        {
            return configured;
        }

        SqliteConnectionStringBuilder sqlite;
        try
        {
            sqlite = new SqliteConnectionStringBuilder(configured);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"ConnectionStrings:{name} is not a SQLite connection string ({e.Message}); for PostgreSQL or MariaDB set Database:Provider to {PostgreSql} or {MySql}.", e);
        }

        sqlite.DataSource = Path.Combine(environment.ContentRootPath, sqlite.DataSource);
        return sqlite.ToString();
    }
}
