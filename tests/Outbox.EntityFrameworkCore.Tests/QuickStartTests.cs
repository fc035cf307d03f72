using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The QuickStart, run as a newcomer runs it: from the repository root, as a process.</summary>
public sealed class QuickStartTests
{
    [Fact]
    public async Task QuickStart_FromTheRepositoryRoot_PrintsEveryStepAndExitsZero()
    {
        var (exitCode, output) = await QuickStartRun.RunAsync("run --project samples/QuickStart");

        QuickStartRun.AssertEveryStep(exitCode, output, "InMemory");
    }

    [Fact]
    public void QuickStart_NeedsAtMostTwoOutboxNamespaces()
    {
        // Registration lives in Microsoft.Extensions.DependencyInjection and Microsoft.EntityFrameworkCore,
        // what a service uses in Outbox; only the sample's look at the transport needs a second one.
        var usings = File.ReadAllLines(Path.Combine(Repository.Root, "samples/QuickStart/Program.cs"))
            .Where(line => line.StartsWith("using Outbox", StringComparison.Ordinal))
            .ToList();

        Assert.True(usings.Count <= 2, $"samples/QuickStart/Program.cs has {usings.Count} Outbox usings: {string.Join(", ", usings)}");
    }

    [Fact]
    public async Task QuickStart_WithoutItsConnectionString_SaysWhichSettingIsMissing()
    {
        var (exitCode, output) = await QuickStartRun.RunAsync("run --project samples/QuickStart", ("ConnectionStrings__Shop", ""));

        Assert.Equal(1, exitCode);
        Assert.Contains("ConnectionStrings:Shop is not set", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuickStart_WithAnUnknownTransport_NamesTheRegisteredOnes()
    {
        var (exitCode, output) = await QuickStartRun.RunAsync("run --project samples/QuickStart", ("Outbox__Transport", "Kafak"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Outbox:Transport is 'Kafak', which is not a registered transport; registered: InMemory, RabbitMQ, Kafka.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("] 1. ", output, StringComparison.Ordinal);
    }
}
