using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace QuickStart;

/// <summary>Where the samples keep their SQLite database, whatever directory they are started from.</summary>
public static class SampleDatabase
{
    /// <summary>
    /// The connection string <paramref name="name"/> with a relative database file placed in the app's own
    /// folder; or, when the setting is missing (appsettings.json not found, say), <see langword="null"/>
    /// after saying on the error output which setting is missing and where it goes.
    /// </summary>
    public static string? ConnectionString(IConfiguration configuration, IHostEnvironment environment, string name)
    {
        var configured = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(configured))
        {
            Console.Error.WriteLine($"ConnectionStrings:{name} is not set: add it to {Path.Combine(environment.ContentRootPath, "appsettings.json")} or set ConnectionStrings__{name}.");
            return null;
        }

        var sqlite = new SqliteConnectionStringBuilder(configured);
        sqlite.DataSource = Path.Combine(environment.ContentRootPath, sqlite.DataSource);
        return sqlite.ToString();
    }
}
