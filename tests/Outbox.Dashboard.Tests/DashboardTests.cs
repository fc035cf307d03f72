using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Outbox.EntityFrameworkCore;
using Outbox.Storage;
using Outbox.Transport;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>The dashboard over HTTP: what its pages show, and what it refuses.</summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task OutsideDevelopment_WithoutAuthorization_TheApplicationRefusesToStart_NamingTheFix()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => DashboardHost.StartAsync(environment: "Production"));

        Assert.Contains("The Outbox dashboard at /outbox has no authorization policy, and the environment is Production.", refused.Message, StringComparison.Ordinal);
        Assert.Contains("RequireAuthorization", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Outbox:Dashboard:AllowAnonymous", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideDevelopment_AllowAnonymous_StartsWithoutAuthorization()
    {
        await using var host = await DashboardHost.StartAsync(environment: "Production", settings: new Dictionary<string, string?> { ["Outbox:Dashboard:AllowAnonymous"] = "true" });
        using var client = new HttpClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(host.Address + "/outbox")).StatusCode);
    }

    [Fact]
    public async Task MapWithoutUseDashboard_SaysWhatToCall()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => DashboardHost.StartAsync(useDashboard: false));

        Assert.Equal("The Outbox dashboard is not registered: call services.AddOutbox(…).UseDashboard() before MapOutboxDashboard.", refused.Message);
    }

    [Fact]
    public async Task Post_WithoutTheAntiforgeryToken_IsRefused_AndChangesNothing()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.PlaceOrderAsync(1, "ada");
        await host.WaitForDeadLettersAsync(1);
        using var client = new HttpClient();

        var response = await client.PostAsync(
            host.Address + "/outbox/dead-letters/purge",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["scope"] = "filter", ["confirmed"] = "yes" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("This form did not come from this dashboard", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await host.DeadLetters.ListAsync());
    }

    [Fact]
    public async Task ARequeuedConsumerDeadLetter_IsShownAsItsRedeliveryToThatConsumer_IdsDoNotWrap_AndFieldTablesHaveNoEmptyHeader()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.PlaceOrderAsync(1, "ada");
        await host.WaitForDeadLettersAsync(1);
        var dead = Assert.Single(await host.DeadLetters.ListAsync());
        // Requeued once its first send is marked: until then the outbox still holds the message's row.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await host.DeadLetters.RequeueAsync(new DeadLetterFilter { MessageIds = [dead.MessageId] }) == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "The dead letter was not requeued within 30 s.");
            await Task.Delay(50);
        }

        using var client = new HttpClient();

        var list = await client.GetStringAsync(host.Address + "/outbox/messages");
        var shown = await client.GetStringAsync(host.Address + $"/outbox/messages/{dead.MessageId}");

        Assert.Contains($"{dead.Destination}, to consumer {dead.Consumer} only (its dead letter, requeued)", list, StringComparison.Ordinal);
        Assert.Contains($"to consumer {dead.Consumer} only", shown, StringComparison.Ordinal);
        Assert.Contains($"<td class=\"id\"><a href=\"/outbox/messages/{dead.MessageId}\">", list, StringComparison.Ordinal);
        Assert.DoesNotContain("<th></th>", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileRequests_GetA400_NeverA500_AndTheNoticeShowsOnlyTheDashboardsOwnWords()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = new HttpClient();

        foreach (var page in new[] { "messages", "half-messages", "dead-letters" })
        {
            foreach (var number in new[] { "2147483647", "0", "-1", "abc", "99999999999" })
            {
                var response = await client.GetAsync($"{host.Address}/outbox/{page}?page={number}");
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"/{page}?page={number}: {response.StatusCode}");
                Assert.Contains("is not a page number", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{host.Address}/outbox/{page}?page=2")).StatusCode);
        }

        var json = await client.PostAsync(host.Address + "/outbox/dead-letters/purge", new StringContent("""{"scope":"filter"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Contains("application/x-www-form-urlencoded", await json.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var forged = await client.GetStringAsync(host.Address + "/outbox/dead-letters?done=" + Uri.EscapeDataString("Your account is locked: call +1 555 0100"));
        Assert.DoesNotContain("locked", forged, StringComparison.Ordinal);
        var counted = await client.GetStringAsync(host.Address + "/outbox/dead-letters?done=purged&count=3");
        Assert.Contains("Purged 3 dead letter(s).", counted, StringComparison.Ordinal);
        var notANumber = await client.GetStringAsync(host.Address + "/outbox/dead-letters?done=purged&count=" + Uri.EscapeDataString("3 (call 555 0100)"));
        Assert.DoesNotContain("555 0100", notANumber, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurgeOfAFilter_WhoseTimeIsNoTime_IsRefused_RatherThanWidened()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.PlaceOrderAsync(1, "ada");
        await host.WaitForDeadLettersAsync(1);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() });
        var list = await client.GetStringAsync(host.Address + "/outbox/dead-letters");
        var token = System.Text.RegularExpressions.Regex.Match(list, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        var response = await client.PostAsync(
            host.Address + "/outbox/dead-letters/purge",
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["scope"] = "filter", ["since"] = "yesterday", ["confirmed"] = "yes",
            }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not a time, so the filter since cannot be applied. Nothing was done.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await host.DeadLetters.ListAsync());
    }

    [Fact]
    public async Task Pages_ShowCountsMessagesAndHalfMessages_WithEveryValueEncoded()
    {
        await using var host = await DashboardHost.StartAsync(settings: new Dictionary<string, string?> { ["Outbox:Consumers:CheckSequence"] = "true" });
        host.Billing.Online = true;
        await host.PlaceOrderAsync(1, "ada");
        await SendNumberedAsync(host, 11, 1);
        await SendNumberedAsync(host, 13, 3);
        await host.WaitForGapsAsync(1);
        await host.WaitForSentAsync(1);
        var half = await WriteHalfMessageAsync(host);
        using var client = new HttpClient();

        var overview = await client.GetStringAsync(host.Address + "/outbox");
        Assert.Contains("<b data-count=\"half messages\">1</b>", overview, StringComparison.Ordinal);
        Assert.Contains("<b data-count=\"sent in the last hour\">1</b>", overview, StringComparison.Ordinal);
        Assert.Contains("<svg role=\"img\"", overview, StringComparison.Ordinal);
        Assert.Contains("<td>billing</td><td>orders</td><td>order-1</td><td>2</td>", overview, StringComparison.Ordinal);

        var sent = await client.GetStringAsync(host.Address + "/outbox/messages?state=sent");
        var id = System.Text.RegularExpressions.Regex.Match(sent, "/outbox/messages/([0-9a-f-]{36})").Groups[1].Value;
        var message = await client.GetStringAsync(host.Address + "/outbox/messages/" + id);
        Assert.Contains("<pre id=\"payload\">{&quot;orderId&quot;:1,&quot;customer&quot;:&quot;ada&quot;}</pre>", message, StringComparison.Ordinal);

        var hostile = new TransportMessage(Guid.NewGuid(), "orders.placed", "OrderPlaced", "<b>key</b>", "{}"u8.ToArray(), "application/json", new Dictionary<string, string>(), DateTimeOffset.UtcNow);
        await host.App.Services.GetRequiredService<IOutboxStore>().Inbox.DeadLetterDeliveryAsync(hostile, "billing", "max-deliveries", 1, "<script>alert(1)</script>", DateTimeOffset.UtcNow, null, CancellationToken.None);
        var deadLetter = await client.GetStringAsync(host.Address + "/outbox/dead-letters/" + hostile.MessageId);
        Assert.DoesNotContain("<script>alert", deadLetter, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", deadLetter, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;key&lt;/b&gt;", deadLetter, StringComparison.Ordinal);

        var halves = await client.GetStringAsync(host.Address + "/outbox/half-messages");
        Assert.Contains(half.ToString(), halves, StringComparison.Ordinal);
        Assert.Contains("No half message is waiting.", await client.GetStringAsync(host.Address + "/outbox/half-messages?type=Other"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(host.Address + "/outbox/messages/" + Guid.NewGuid())).StatusCode);
        Assert.Contains("is not a time", await client.GetStringAsync(host.Address + "/outbox/dead-letters?since=yesterday"), StringComparison.Ordinal);
    }

    /// <summary>Sends an OrderPlaced numbered <paramref name="sequence"/> of key order-1 straight through the transport, as another producer would, and waits until it is billed.</summary>
    private static async Task SendNumberedAsync(DashboardHost host, long orderId, long sequence)
    {
        var headers = new Dictionary<string, string> { [TransportMessage.SequenceHeader] = $"{sequence}", [TransportMessage.SourceHeader] = "orders" };
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new OrderPlaced(orderId, "numbered"), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        await host.App.Services.GetRequiredService<InMemoryTransport>().SendAsync(
            [new TransportMessage(Guid.NewGuid(), "orders.placed", "OrderPlaced", "order-1", body, "application/json", headers, DateTimeOffset.UtcNow)], CancellationToken.None);
        await host.Billing.BilledAsync(orderId).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A half message as SendHalfAsync leaves it, written through the store's writer.</summary>
    private static async Task<Guid> WriteHalfMessageAsync(DashboardHost host)
    {
        await using var scope = host.App.Services.CreateAsyncScope();
        var now = DateTimeOffset.UtcNow;
        var half = new StoredMessage
        {
            MessageId = Guid.NewGuid(), Destination = "payments.requested", MessageType = "PaymentRequested", Body = "{}"u8.ToArray(),
            Status = MessageStatus.Prepared, Kind = MessageKind.Transactional, CreatedAt = now, DueAt = now, NextAttemptAt = now.AddMinutes(1),
        };
        scope.ServiceProvider.GetRequiredService<IOutboxStore>().Writer(scope.ServiceProvider).Add(half);
        await scope.ServiceProvider.GetRequiredService<ShopContext>().SaveChangesAsync();
        return half.MessageId;
    }
}
