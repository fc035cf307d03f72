using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.Tests;

/// <summary>The dashboard clicked through in a real browser, as an operator uses it.</summary>
public sealed class BrowserTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task DeadLetter_AppearsOnTheDashboard_IsRequeuedThere_AndIsDelivered()
    {
        await using var host = await DashboardHost.StartAsync();
        var messageId = await host.PlaceOrderAsync(7, "ada");
        await host.WaitForDeadLettersAsync(1);
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(host.Address + "/outbox");
        await Assertions.Expect(page.Locator("[data-count='dead letters']")).ToHaveTextAsync("1");
        await page.GetByRole(AriaRole.Link, new() { Name = "Dead letters" }).First.ClickAsync();
        var row = page.Locator("tbody tr", new() { HasText = messageId.ToString() });
        await Assertions.Expect(row).ToContainTextAsync("max-deliveries");
        await Assertions.Expect(row).ToContainTextAsync("The billing service is offline.");

        await row.GetByRole(AriaRole.Link, new() { Name = messageId.ToString() }).ClickAsync();
        await Assertions.Expect(page.Locator("#payload")).ToContainTextAsync("\"customer\":\"ada\"");
        await page.GoBackAsync();

        await row.GetByRole(AriaRole.Checkbox).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Requeue selected" }).ClickAsync();
        await Assertions.Expect(page.Locator("main p").First).ToContainTextAsync("Requeue 1 dead letter(s), of the 1 selected message(s)?");
        host.Billing.Online = true;
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, requeue them" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("Requeued 1 dead letter(s); the dispatcher sends them at its next poll.");
        await Assertions.Expect(page.Locator("td.empty")).ToHaveTextAsync("No dead letter matches.");
        await host.Billing.BilledAsync(7).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task BulkPurge_OfAFilter_AfterConfirmation_DeletesOnlyTheDeadLettersItMatches()
    {
        await using var host = await DashboardHost.StartAsync();
        var inbox = host.App.Services.GetRequiredService<IOutboxStore>().Inbox;
        foreach (var reason in new[] { "malformed-message", "max-deliveries", "malformed-message" })
        {
            var message = new TransportMessage(Guid.NewGuid(), "orders.placed", "OrderPlaced", "k", "{}"u8.ToArray(), "application/json", new Dictionary<string, string>(), DateTimeOffset.UtcNow);
            await inbox.DeadLetterDeliveryAsync(message, "billing", reason, 1, "bad input", DateTimeOffset.UtcNow, null, CancellationToken.None);
        }

        var page = await chromium.NewPageAsync();
        await page.GotoAsync(host.Address + "/outbox/dead-letters");
        await Assertions.Expect(page.Locator("#selection tbody tr")).ToHaveCountAsync(3);
        await page.GetByLabel("reason").FillAsync("malformed-message");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.Locator("#selection tbody tr")).ToHaveCountAsync(2);

        await page.GetByRole(AriaRole.Button, new() { Name = "Purge all matching" }).ClickAsync();
        await Assertions.Expect(page.Locator("main p").First).ToHaveTextAsync("Purge 2 dead letter(s), matching reason malformed-message? They are deleted for good.");
        Assert.Equal(3, (await host.DeadLetters.ListAsync()).Count); // nothing happens before the confirmation
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, purge them" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("Purged 2 dead letter(s).");
        await Assertions.Expect(page.Locator("#selection tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#selection tbody tr")).ToContainTextAsync("max-deliveries");
        Assert.Equal("max-deliveries", Assert.Single(await host.DeadLetters.ListAsync()).Reason);
    }

    [Fact]
    public async Task OutsideDevelopment_AnAuthorizedDashboard_RefusesAVisitorWhoHasNotSignedIn_AndShowsItselfAfterSignIn()
    {
        await using var host = await DashboardHost.StartAsync(
            environment: "Production",
            configure: builder =>
            {
                builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o => o.LoginPath = "/login");
                builder.Services.AddAuthorization(o => o.AddPolicy("operators", p => p.RequireRole("operator")));
            },
            map: app =>
            {
                app.MapOutboxDashboard("/outbox").RequireAuthorization("operators");
                app.MapGet("/login", () => Results.Content("<form method=\"post\"><button>Sign in</button></form>", "text/html"));
                app.MapPost("/login", async (HttpContext context, string? returnUrl) =>
                {
                    var operator_ = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ops"), new Claim(ClaimTypes.Role, "operator")], "test"));
                    await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, operator_);
                    return Results.Redirect(returnUrl ?? "/outbox");
                }).DisableAntiforgery();
            });
        await host.PlaceOrderAsync(1, "ada");
        await host.WaitForDeadLettersAsync(1);
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(host.Address + "/outbox/dead-letters");
        Assert.StartsWith(host.Address + "/login", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("body")).Not.ToContainTextAsync("max-deliveries");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(host.Address + "/outbox/dead-letters");
        await Assertions.Expect(page.Locator("#selection tbody tr")).ToContainTextAsync("max-deliveries");
    }
}
