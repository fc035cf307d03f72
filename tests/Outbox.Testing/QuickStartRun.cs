using Xunit;

namespace Outbox.Testing;

/// <summary>The QuickStart sample run as a process from the repository root, and what every run of it must print.</summary>
public static class QuickStartRun
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(5);

    /// <summary>Runs <c>dotnet {arguments}</c> from the repository root with extra environment variables.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string arguments, params (string Name, string Value)[] environment)
    {
        using var run = new DotnetProcess();
        run.Start(arguments.Split(' '), Repository.Root, environment.ToDictionary(e => e.Name, e => e.Value));
        var exitCode = await run.WaitForExitAsync(TimeLimit);
        return (exitCode, run.Output);
    }

    /// <summary>Asserts a whole, clean walk-through over <paramref name="transport"/>: eight steps, each with its outcome, then done, exit code 0.</summary>
    public static void AssertEveryStep(int exitCode, string output, string transport)
    {
        Assert.True(exitCode == 0, $"The QuickStart exited with {exitCode}:\n{output}");
        Assert.Contains($"] transport: {transport} (Outbox:Transport)", output, StringComparison.Ordinal);
        for (var step = 1; step <= 8; step++)
        {
            Assert.Contains($"] {step}. ", output, StringComparison.Ordinal);
        }

        Assert.Contains("nothing was sent (waited 1 s)", output, StringComparison.Ordinal);
        Assert.Contains("received ReminderDue on 'reminders'", output, StringComparison.Ordinal);
        Assert.Contains("dead-lettered: reason=max-deliveries, deliveries=2, error=\"the audit store is offline\"", output, StringComparison.Ordinal);
        Assert.Contains("received AuditRecorded on 'audit'", output, StringComparison.Ordinal);
        Assert.Equal(3, output.Split("received PaymentRequested on 'payments.requested'").Length - 1);
        Assert.Contains("the inboxes skipped 4 duplicate deliveries, shipments made for order 1: 1", output, StringComparison.Ordinal);
        Assert.Contains("] done", output, StringComparison.Ordinal);
        Assert.DoesNotContain("UNEXPECTED", output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }
}
