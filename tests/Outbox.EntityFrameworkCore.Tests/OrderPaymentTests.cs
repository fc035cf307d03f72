using System.Text.RegularExpressions;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The order/payment sample's runner, as a process from the repository root, on its embedded defaults.</summary>
public sealed partial class OrderPaymentTests
{
    [Fact]
    public async Task ReadmeFirstCommand_FromTheRepositoryRoot_FollowsEveryOrderToAPassingVerdict_TwiceInARow()
    {
        var command = FirstCommand(File.ReadAllText(Path.Combine(Repository.Root, "README.md")));
        Assert.Equal("dotnet run --project samples/OrderPayment/Runner", command);

        for (var run = 0; run < 2; run++)
        {
            var (exitCode, output) = await QuickStartRun.RunAsync(command["dotnet ".Length..]);
            OrderPaymentRun.AssertEveryOrder(exitCode, output, 20, "InMemory");
        }
    }

    [Fact]
    public async Task ReadmeFirstCommand_InACloneUnderAFolderNamedSrc_BuildsAndPasses()
    {
        // ~/src/outbox is where many people keep their clones: being a package must not depend on the path.
        var parent = Directory.CreateTempSubdirectory("outbox-clone-");
        try
        {
            var clone = Path.Combine(parent.FullName, "src", "outbox");
            using (var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["clone", "--quiet", Repository.Root, clone]) { RedirectStandardError = true })!)
            {
                var error = await git.StandardError.ReadToEndAsync();
                await git.WaitForExitAsync();
                Assert.True(git.ExitCode == 0, $"git clone failed: {error}");
            }

            using var run = new DotnetProcess();
            run.Start(FirstCommand(File.ReadAllText(Path.Combine(clone, "README.md")))["dotnet ".Length..].Split(' '), clone);
            var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(8));
            OrderPaymentRun.AssertEveryOrder(exitCode, run.Output, 20, "InMemory");
        }
        finally
        {
            parent.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Runner_With200Orders_EveryOrderEndsAsItsGatewayAnswerDecides()
    {
        var (exitCode, output) = await OrderPaymentRun.RunAsync(200);

        OrderPaymentRun.AssertEveryOrder(exitCode, output, 200, "InMemory");
    }

    [Fact]
    public async Task Runner_WithAnUnknownOption_SaysWhichOptionsThereAre()
    {
        var (exitCode, output) = await QuickStartRun.RunAsync("run --project samples/OrderPayment/Runner -- --order 5");

        Assert.Equal(2, exitCode);
        Assert.Contains("Unknown option '--order'. Options: --orders N, --transport InMemory|RabbitMQ|Kafka, --dashboard, --urls URL.", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Outbox:Transport is 'Foo', which is not a registered transport; registered: InMemory, RabbitMQ, Kafka.", "Outbox__Transport=Foo")]
    [InlineData("Could not connect to RabbitMQ at amqp://guest:***@127.0.0.1:1/: Connection refused.", "Outbox__Transport=RabbitMQ", "Outbox__RabbitMQ__Uri=amqp://guest:guest@127.0.0.1:1/")]
    [InlineData("Database:Provider is 'Oracle'; it must be Sqlite, PostgreSQL or MySql.", "Database__Provider=Oracle")]
    [InlineData("ConnectionStrings:Payments is not a SQLite connection string (Connection string keyword 'host' is not supported", "ConnectionStrings__Payments=Host=127.0.0.1")]
    [InlineData(
        "The database is not reachable: Failed to connect to 127.0.0.1:1",
        "Database__Provider=PostgreSQL",
        "ConnectionStrings__Orders=Host=127.0.0.1;Port=1;Username=outbox",
        "ConnectionStrings__Payments=Host=127.0.0.1;Port=1;Username=outbox")]
    public async Task Runner_ThatCannotStart_SaysWhyWithoutAStackAndExitsOne(string reason, params string[] settings)
    {
        // Every broker and database named here is on a port where nothing listens.
        var (exitCode, output) = await OrderPaymentRun.RunAsync(20, [.. settings.Select(s => s.Split('=', 2)).Select(s => (s[0], s[1]))]);

        Assert.Equal(1, exitCode);
        Assert.Contains(reason, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("placing", output, StringComparison.Ordinal);
    }

    private static string FirstCommand(string readme) =>
        ShellBlock().Match(readme) is { Success: true } block
            ? block.Groups[1].Value.Trim()
            : throw new InvalidOperationException("README.md has no ```sh block.");

    [GeneratedRegex("```sh\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
