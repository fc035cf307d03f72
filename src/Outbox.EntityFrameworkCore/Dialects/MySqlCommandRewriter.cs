using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Outbox.EntityFrameworkCore.Dialects;

/// <summary>
/// Rewrites two commands Oracle's MySQL provider sends in a form MariaDB refuses, into forms MariaDB and MySQL
/// both run; other commands pass unchanged:
/// <list type="bullet">
/// <item>EF Core's <c>ExecuteDelete</c>, <c>DELETE FROM `t` AS `o` WHERE …</c>, as <c>DELETE `o` FROM `t` AS `o` WHERE …</c>;</item>
/// <item>the migrations' lock, <c>GET_LOCK('__EFMigrationsLock',-1)</c>, which MariaDB answers with NULL (it takes
/// no negative timeout) and as an INT where the provider reads a BIGINT: it asks with the longest timeout, as a
/// BIGINT (IFNULL with a BIGINT is the one form MariaDB types so; a lock it cannot take is not 1, as before).</item>
/// </list>
/// </summary>
internal sealed partial class MySqlCommandRewriter : DbCommandInterceptor
{
    public static readonly MySqlCommandRewriter Instance = new();

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

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Rewrite(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Rewrite(command);
        return ValueTask.FromResult(result);
    }

    /// <summary>The text MariaDB runs for <paramref name="text"/>.</summary>
    public static string Rewrite(string text) =>
        MigrationsLock().Replace(AliasedDelete().Replace(text, "DELETE ${alias} FROM ${table} AS ${alias}", 1), "IFNULL(GET_LOCK('__EFMigrationsLock', 2147483647), 9223372036854775807)", 1);

    private static void Rewrite(DbCommand command) => command.CommandText = Rewrite(command.CommandText);

    [GeneratedRegex(@"^DELETE FROM (?<table>`[^`]+`(?:\.`[^`]+`)?) AS (?<alias>`[^`]+`)")]
    private static partial Regex AliasedDelete();

    [GeneratedRegex(@"GET_LOCK\('__EFMigrationsLock',\s*-1\)")]
    private static partial Regex MigrationsLock();
}
