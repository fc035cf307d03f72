using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The order/payment sample's dashboard, as its README tells a user to try it: the runner with <c>--dashboard</c>, in a browser.</summary>
public sealed partial class SampleDashboardTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task OrderPaymentRunner_WithDashboard_ShowsADeadLetter_ThatARequeueDelivers()
    {
        using var runner = new DotnetProcess();
        runner.Start(["run", "--project", "samples/OrderPayment/Runner", "--", "--orders", "10", "--dashboard", "--urls", "http://127.0.0.1:0"], Repository.Root);
        var open = await runner.WaitForOutputAsync(DeadLettersAddress(), TimeSpan.FromMinutes(5));
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(open.Groups[1].Value);
        var row = page.Locator("#selection tbody tr", new() { HasText = "orders-paid" });
        await Assertions.Expect(row).ToContainTextAsync("max-deliveries");
        await Assertions.Expect(row).ToContainTextAsync("The Orders table is locked by a migration");
        await row.GetByRole(AriaRole.Checkbox).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Requeue selected" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, requeue them" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("Requeued 1 dead letter(s); the dispatcher sends them at its next poll.");
        await runner.WaitForOutputAsync(Paid(), TimeSpan.FromMinutes(1));
        var failure = Assert.Single(Regex.Matches(runner.Output, "fail: (.*)\n(.*)\n")); // the dead letter, logged once, as a failure a person must see
        Assert.Contains("Consumer orders-paid set message", failure.Groups[2].Value, StringComparison.Ordinal);

        // Stopped as Kubernetes stops it: SIGTERM, then SIGKILL after the grace period (30 s by default).
        var (exitCode, took) = await runner.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"The runner exited with {exitCode} after SIGTERM:\n{runner.Output}");
        Assert.True(took < TimeSpan.FromSeconds(10), $"The runner took {took.TotalSeconds:0.0} s to stop after SIGTERM.");
    }

    [GeneratedRegex(@"Open (http://\S+/outbox/dead-letters), requeue it")]
    private static partial Regex DeadLettersAddress();

    [GeneratedRegex(@"order \S+ is Paid: the requeued PaymentCaptured reached Orders\.")]
    private static partial Regex Paid();
}
