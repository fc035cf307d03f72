using Outbox.Testing;

namespace Outbox.Tests;

public sealed class SqliteCliScenarios : CliScenarios
{
    protected override string ScriptProvider => "sqlite";

    protected override string UnreachableConnectionString => $"Data Source={Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "missing.db")}";

    protected override ITestDatabase NewDatabase() => new SqliteTestDatabase();

    [Fact]
    public async Task AMissingDatabaseFile_IsReported_NeverCreated()
    {
        var path = Path.Combine(Path.GetTempPath(), $"outbox-missing-{Guid.NewGuid():N}.db");

        var (exitCode, output) = await RunWithAsync($"Data Source={path}", "status");

        Assert.Equal(1, exitCode);
        Assert.Contains("unable to open database file", output, StringComparison.Ordinal);
        Assert.False(File.Exists(path), "The command line created the database file it was to read.");
    }

    // Once, here: the help does not depend on the database.
    [Theory]
    [InlineData("--help", "dotnet outbox [command] [options]")]
    [InlineData("dead-letters requeue --help", "dotnet outbox dead-letters requeue [<message-id>] [options]")]
    public async Task Help_NamesTheToolAsAUserTypesIt(string arguments, string usage)
    {
        var (exitCode, output) = await RunCliAsync(arguments.Split(' '));

        Assert.Equal(0, exitCode);
        Assert.Contains($"Usage:\n  {usage}\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("Outbox.Cli", output, StringComparison.Ordinal);
    }
}
