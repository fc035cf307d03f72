using Outbox.EntityFrameworkCore.Dialects;

namespace Outbox.Tests;

/// <summary>What each database's dialect reads from the database's answer to its version query, and the versions it refuses.</summary>
public sealed class DialectTests
{
    [Theory]
    [InlineData("15.10 (Debian 15.10-0+deb12u1)", "15.10")]
    [InlineData("12.0", "12.0")]
    [InlineData("17devel", "17.0")]
    [InlineData("11.22", "11.22")]
    public void PostgreSql_ReadsTheServerVersion(string answer, string expected) =>
        Assert.Equal(Version.Parse(expected), PostgreSqlDialect.Instance.ParseVersion(answer));

    [Theory]
    [InlineData("3.46.1", "3.46.1")]
    [InlineData("3.35.0", "3.35.0")]
    public void Sqlite_ReadsTheLibraryVersion(string answer, string expected) =>
        Assert.Equal(Version.Parse(expected), SqliteDialect.Instance.ParseVersion(answer));

    [Theory]
    [InlineData("")]
    [InlineData("MariaDB")]
    public void AnAnswerWithoutAVersion_IsNotTheDatabasesOwn(string answer)
    {
        Assert.Null(PostgreSqlDialect.Instance.ParseVersion(answer));
        Assert.Null(SqliteDialect.Instance.ParseVersion(answer));
    }

    [Theory]
    [InlineData("10.11.19-MariaDB-0+deb12u1", "MariaDB", "10.11.19", "10.6")]
    [InlineData("10.5.27-MariaDB", "MariaDB", "10.5.27", "10.6")]
    [InlineData("8.0.36", "MySQL", "8.0.36", "8.0.1")]
    public void MySql_TellsMariaDbFromMySql_EachWithItsOwnMinimum(string answer, string database, string version, string minimum)
    {
        Assert.Equal(Version.Parse(version), MySqlDialect.Instance.ParseVersion(answer));
        Assert.Equal((database, Version.Parse(minimum)), MySqlDialect.Instance.Flavour(answer));
    }

    [Fact]
    public void PostgreSqlsAnswerToVersion_IsNotMySqls() =>
        Assert.Null(MySqlDialect.Instance.ParseVersion("PostgreSQL 15.10 (Debian 15.10-0+deb12u1) on x86_64-pc-linux-gnu"));

    [Theory]
    [InlineData("DELETE FROM `outbox_messages` AS `o`\nWHERE `o`.`id` IN (@ids1)", "DELETE `o` FROM `outbox_messages` AS `o`\nWHERE `o`.`id` IN (@ids1)")]
    [InlineData("DELETE FROM `shop`.`outbox_dead_letters` AS `o` WHERE 1", "DELETE `o` FROM `shop`.`outbox_dead_letters` AS `o` WHERE 1")]
    [InlineData("SELECT GET_LOCK('__EFMigrationsLock',-1);", "SELECT IFNULL(GET_LOCK('__EFMigrationsLock', 2147483647), 9223372036854775807);")]
    [InlineData("DELETE FROM `t` WHERE id = 1 ORDER BY id LIMIT 10", "DELETE FROM `t` WHERE id = 1 ORDER BY id LIMIT 10")]
    [InlineData("UPDATE `outbox_messages` AS `o` SET `status` = @p", "UPDATE `outbox_messages` AS `o` SET `status` = @p")]
    public void MySqlCommands_AreRewrittenOnlyWhereMariaDbRefusesThem(string sent, string run) =>
        Assert.Equal(run, MySqlCommandRewriter.Rewrite(sent));

    [Fact]
    public void TheMinimumVersions_AreThoseTheSqlNeeds()
    {
        Assert.True(PostgreSqlDialect.Instance.ParseVersion("11.22") < PostgreSqlDialect.Instance.MinimumVersion, "MATERIALIZED common tables came with PostgreSQL 12");
        Assert.True(SqliteDialect.Instance.ParseVersion("3.34.1") < SqliteDialect.Instance.MinimumVersion, "RETURNING came with SQLite 3.35");
        Assert.True(MySqlDialect.Instance.ParseVersion("10.5.27-MariaDB") < MySqlDialect.Instance.Flavour("10.5.27-MariaDB").Minimum, "SKIP LOCKED came with MariaDB 10.6");
    }
}
