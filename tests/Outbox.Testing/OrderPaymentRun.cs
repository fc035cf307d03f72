using System.Text.RegularExpressions;
using Xunit;

namespace Outbox.Testing;

/// <summary>The order/payment sample's runner as a process from the repository root, and what every run of it must print.</summary>
public static partial class OrderPaymentRun
{
    /// <summary>Runs the runner with <paramref name="orders"/> orders and extra environment variables.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(int orders, params (string Name, string Value)[] environment) =>
        QuickStartRun.RunAsync($"run --project samples/OrderPayment/Runner -- --orders {orders}", environment);

    /// <summary>
    /// Runs the runner with 200 orders on <paramref name="provider"/> (<c>Database:Provider</c>), each service on an
    /// empty database of its own from <paramref name="newDatabase"/>, and asserts the whole run.
    /// </summary>
    public static async Task AssertAWholeRunOnAsync(string provider, Func<ITestDatabase> newDatabase)
    {
        await using var orders = newDatabase();
        await using var payments = newDatabase();
        await orders.CreateEmptyAsync();
        await payments.CreateEmptyAsync();

        var (exitCode, output) = await RunAsync(
            200,
            ("Database__Provider", provider),
            ("ConnectionStrings__Orders", orders.ConnectionString),
            ("ConnectionStrings__Payments", payments.ConnectionString));

        AssertEveryOrder(exitCode, output, 200, "InMemory", provider);
    }

    /// <summary>
    /// Runs, with bash from the repository root, the shell block of the sample's README that contains
    /// <paramref name="containing"/>, as a reader pastes it.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunReadmeBlockAsync(string containing)
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "samples", "OrderPayment", "README.md")).ReplaceLineEndings("\n");
        var block = Assert.Single(ShellBlock().Matches(readme), m => m.Groups["text"].Value.Contains(containing, StringComparison.Ordinal)).Groups["text"].Value;
        using var run = new DotnetProcess();
        run.Start(["-euo", "pipefail", "-c", block], Repository.Root, program: "bash");
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(5));
        return (exitCode, run.Output);
    }

    /// <summary>
    /// Asserts a whole run over <paramref name="transport"/> and <paramref name="database"/> with a multiple of ten orders: every tenth customer
    /// declined (its order cancelled), every tenth timing out and charged late (paid after the check callback),
    /// the rest paid; one OrderPlaced and one payment answer sent per order; five OrderPlaced delivered again and
    /// absorbed by the inbox; a passing verdict, exit code 0.
    /// </summary>
    public static void AssertEveryOrder(int exitCode, string output, int orders, string transport, string database = "Sqlite")
    {
        Assert.True(exitCode == 0, $"The runner exited with {exitCode}:\n{output}");
        Assert.Contains($", transport {transport}, database {database}; placing {orders} orders.", output, StringComparison.Ordinal);
        Assert.Contains($"orders: {orders / 10} Cancelled, {orders - (orders / 10)} Paid", output, StringComparison.Ordinal);
        Assert.Contains($"messages sent: {2 * orders},", output, StringComparison.Ordinal);
        Assert.Equal(orders / 10, Regex.Matches(output, "slow-\\d+ .* gateway timed out, half message checked [1-9]\\d*x, charged late, committed → paid").Count);
        Assert.Equal(orders / 10, Regex.Matches(output, "decline-\\d+ .* half message rolled back, PaymentFailed \\(declined by the gateway\\) → cancelled").Count);
        Assert.True(int.Parse(Checks().Match(output).Groups[1].Value) >= orders / 10, output);
        Assert.Contains($"sent OrderPlaced of 5 orders again, as a broker does after a lost acknowledgement: payments requested {orders} (was {orders})", output, StringComparison.Ordinal);
        Assert.Contains("duplicates absorbed by the inboxes: 5,", output, StringComparison.Ordinal);
        Assert.Matches("order placed to OrderPlaced handled by Payments: p50 [0-9.]+ ms, p99 [0-9.]+ ms", output);
        Assert.Contains($"verdict: all {orders} orders reached their final state, nothing lost", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
    }

    [GeneratedRegex("^```sh\\n(?<text>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex("checks of half messages: (\\d+)")]
    private static partial Regex Checks();
}
