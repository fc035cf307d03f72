using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Outbox.Cli;

/// <summary>
/// <c>dotnet outbox migrate-script</c>: the outbox's tables and indexes as <c>AddOutboxTables</c> maps
/// them, in one provider's SQL, each created only when missing, so the script can run again on a
/// database that has some of them.
/// </summary>
internal static class MigrateScript
{
    public static string Create(string provider, string? schema)
    {
        var options = new DbContextOptionsBuilder<OutboxTablesContext>();
        _ = provider == "sqlite" ? options.UseSqlite("Data Source=:memory:") : options.UseNpgsql("Host=localhost");
        using var context = new OutboxTablesContext(options.Options, new OutboxSchema(schema));
        return Regex.Replace(context.Database.GenerateCreateScript(), "^CREATE (UNIQUE INDEX|INDEX|TABLE) ", "CREATE $1 IF NOT EXISTS ", RegexOptions.Multiline);
    }
}
