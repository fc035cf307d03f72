using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Outbox.Cli;

/// <summary>The connection string the command line names: given as is, or read from the service's appsettings.json.</summary>
internal static class ConnectionSettings
{
    /// <summary>
    /// The connection string given, or the one in the settings file given, or, with neither, the one in the
    /// <c>appsettings.json</c> of the current folder: run from a service's folder, the CLI needs no option.
    /// </summary>
    /// <exception cref="ArgumentException">Both are given, neither is and the folder has no settings file, or the file does not name one connection string.</exception>
    public static string Resolve(string? connectionString, FileInfo? settings, string? name)
    {
        if (connectionString is not null && settings is not null)
        {
            throw new ArgumentException("Give the database as --connection \"…\" or as --appsettings path/to/appsettings.json, not both.");
        }

        if (connectionString is null && settings is null)
        {
            settings = new FileInfo("appsettings.json");
            if (!settings.Exists)
            {
                throw new ArgumentException(
                    "Give the database as --connection \"…\" or as --appsettings path/to/appsettings.json, or run from the service's folder, where its appsettings.json is.");
            }
        }

        if (connectionString is not null)
        {
            return connectionString;
        }

        if (!settings!.Exists)
        {
            throw new ArgumentException($"{settings.FullName} does not exist.");
        }

        var strings = new ConfigurationBuilder().AddJsonFile(settings.FullName).Build().GetSection("ConnectionStrings").GetChildren()
            .Where(s => !string.IsNullOrWhiteSpace(s.Value)).ToList();
        var chosen = name is null
            ? strings.Count == 1 ? strings[0] : throw new ArgumentException(
                $"{settings.Name} has {strings.Count} connection strings ({string.Join(", ", strings.Select(s => s.Key))}): choose one with --connection-name.")
            : strings.Find(s => s.Key == name) ?? throw new ArgumentException($"{settings.Name} has no ConnectionStrings:{name}.");
        return OutboxDatabase.IsSqlite(chosen.Value!) ? FromFolder(chosen.Value!, settings.DirectoryName!) : chosen.Value!;
    }

    /// <summary>Why <paramref name="connectionString"/> cannot be a connection string of its database, or <see langword="null"/>: read before anything connects, so that a typo is a usage error and not a stack trace.</summary>
    public static string? Problem(string connectionString)
    {
        try
        {
            _ = OutboxDatabase.IsSqlite(connectionString)
                ? new SqliteConnectionStringBuilder(connectionString).ConnectionString
                : new Npgsql.NpgsqlConnectionStringBuilder(connectionString).ConnectionString;
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return $"The connection string is not valid for {(OutboxDatabase.IsSqlite(connectionString) ? "SQLite" : "PostgreSQL")}: {e.Message}";
        }
    }

    // A relative SQLite file is taken from the folder of appsettings.json, the service's content root, wherever the CLI runs.
    private static string FromFolder(string connectionString, string folder)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        builder.DataSource = Path.GetFullPath(builder.DataSource, folder);
        return builder.ToString();
    }
}
