using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace OrderPayment.ServiceDefaults;

/// <summary>Where each service keeps its SQLite database: a relative file name is taken from the service's own folder. Shared set-up of both services, not part of their contracts.</summary>
public static class SampleDatabase
{
    /// <summary>The connection string <paramref name="name"/>, its relative database file placed in the service's content root.</summary>
    public static string ConnectionString(IConfiguration configuration, IHostEnvironment environment, string name)
    {
        var configured = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException($"ConnectionStrings:{name} is not set: add it to {Path.Combine(environment.ContentRootPath, "appsettings.json")} or set ConnectionStrings__{name}.");
        }

        var sqlite = new SqliteConnectionStringBuilder(configured);
        sqlite.DataSource = Path.Combine(environment.ContentRootPath, sqlite.DataSource);
        return sqlite.ToString();
    }
}
