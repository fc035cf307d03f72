using System.Text.RegularExpressions;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The README's first command, run as a newcomer runs it: from the repository root, as a process.</summary>
public sealed partial class QuickStartTests
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task ReadmeFirstCommand_FromTheRepositoryRoot_PrintsEveryStepAndExitsZero_TwiceInARow()
    {
        var root = Repository.Root;
        var command = FirstCommand(File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.Equal("dotnet run --project samples/QuickStart", command);

        foreach (var run in new[] { "first", "second" })
        {
            var (exitCode, output) = await RunAsync(root, command["dotnet ".Length..]);

            Assert.True(exitCode == 0, $"The {run} run exited with {exitCode}:\n{output}");
            for (var step = 1; step <= 8; step++)
            {
                Assert.Contains($"] {step}. ", output, StringComparison.Ordinal);
            }

            Assert.Contains("nothing was sent (waited 1 s)", output, StringComparison.Ordinal);
            Assert.Contains("dead-lettered: reason=max-attempts", output, StringComparison.Ordinal);
            Assert.Contains("shipments made: 1", output, StringComparison.Ordinal);
            Assert.Contains("] done", output, StringComparison.Ordinal);
            Assert.DoesNotContain("UNEXPECTED", output, StringComparison.Ordinal);
            Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task QuickStart_WithoutItsConnectionString_SaysWhichSettingIsMissing()
    {
        var (exitCode, output) = await RunAsync(Repository.Root, "run --project samples/QuickStart", ("ConnectionStrings__Shop", ""));

        Assert.Equal(1, exitCode);
        Assert.Contains("ConnectionStrings:Shop is not set", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    private static string FirstCommand(string readme) =>
        ShellBlock().Match(readme) is { Success: true } block
            ? block.Groups[1].Value.Trim()
            : throw new InvalidOperationException("README.md has no ```sh block.");

    private static async Task<(int ExitCode, string Output)> RunAsync(string directory, string arguments, params (string Name, string Value)[] environment)
    {
        using var run = new DotnetProcess();
        run.Start(arguments.Split(' '), directory, environment.ToDictionary(e => e.Name, e => e.Value));
        var exitCode = await run.WaitForExitAsync(TimeLimit);
        return (exitCode, run.Output);
    }

    [GeneratedRegex("```sh\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
