using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Outbox.EntityFrameworkCore.Dialects;

/// <summary>
/// Rewrites what EF Core's <c>ExecuteDelete</c> sends through Oracle's MySQL provider,
/// <c>DELETE FROM `t` AS `o` WHERE …</c> (which MariaDB refuses), as <c>DELETE `o` FROM `t` AS `o` WHERE …</c>,
/// which MariaDB and MySQL both run. Other commands pass unchanged.
/// </summary>
internal sealed partial class AliasedDeleteRewriter : DbCommandInterceptor
{
    public static readonly AliasedDeleteRewriter Instance = new();

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Rewrite(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Rewrite(command);
        return ValueTask.FromResult(result);
    }

    private static void Rewrite(DbCommand command) =>
        command.CommandText = AliasedDelete().Replace(command.CommandText, "DELETE ${alias} FROM ${table} AS ${alias}", 1);

    [GeneratedRegex(@"^DELETE FROM (?<table>`[^`]+`(?:\.`[^`]+`)?) AS (?<alias>`[^`]+`)")]
    private static partial Regex AliasedDelete();
}
