using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Outbox.Testing;

namespace Outbox.RabbitMQ.Tests;

/// <summary>
/// The README's "Add it to a service", done as a reader does it: in an empty folder outside the repository, its
/// shell blocks run and its code and settings pasted in their order, with the outbox's packages from a feed
/// packed in this run. The service then builds, migrates an empty PostgreSQL database, starts on RabbitMQ, takes
/// an order and handles its OrderPlaced.
/// </summary>
public sealed partial class ReadmeServiceTests : IAsyncDisposable
{
    private static readonly TimeSpan TimeLimit = PackageFeed.TimeLimit;

    private readonly string _work = Directory.CreateTempSubdirectory("outbox-readme-").FullName;
    private readonly PostgreSqlTestDatabase _database = new();
    private readonly string _vhost = $"readme-{Guid.NewGuid():N}";

    [Fact]
    public async Task TheReadmesService_BuildsFromItsBlocks_MigratesAndHandlesAnOrder()
    {
        LocalServices.RequireLocal(); // a virtual host of its own, so that no other test's queues reach it
        await LocalServices.RabbitMQAsync("add_vhost", _vhost);
        await LocalServices.RabbitMQAsync("set_permissions", "-p", _vhost, "guest", "'.*'", "'.*'", "'.*'");

        var feed = Path.Combine(_work, "feed");
        var packages = Path.Combine(_work, "packages");
        await PackageFeed.PackAsync(feed); // 1.0.0, what `dotnet add package` without a version takes
        PackageFeed.WriteNuGetConfig(_work, feed, packages);

        // The README's settings name a local server; the test's database and virtual host stand in for them.
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Shop"] = _database.ConnectionString,
            ["Outbox__RabbitMQ__Uri"] = $"{Broker.Uri.TrimEnd('/')}/{_vhost}",
            ["DOTNET_NOLOGO"] = "1",
        };
        var service = Directory.CreateDirectory(Path.Combine(_work, "Shop")).FullName;
        var blocks = ReadmeService.Blocks();
        Assert.Contains(blocks, b => b.Target == ReadmeService.Run && b.Text.Contains("dotnet ef database update", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Target == "Program.cs");
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (target, text) in blocks)
        {
            if (target == ReadmeService.Run)
            {
                await DotnetProcess.RunAsync(service, ["-euo", "pipefail", "-c", text], TimeLimit, environment, program: "bash");
            }
            else
            {
                ReadmeService.Paste(service, target, text, written);
            }
        }

        foreach (var package in new[] { "Outbox.Core", "Outbox.EntityFrameworkCore", "Outbox.RabbitMQ" })
        {
            PackageFeed.AssertRestoredFromFeed(packages, package, "1.0.0");
        }

        Assert.Single(Directory.GetFiles(Path.Combine(service, "Migrations"), "*_Initial.cs"));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM \"__EFMigrationsHistory\""));
        Assert.Equal(0L, await _database.ScalarAsync("SELECT count(*) FROM outbox_messages"));

        using var run = new DotnetProcess();
        var address = $"http://127.0.0.1:{FreePort()}";
        run.Start(["run", "--no-build", "--", "--urls", address], service, environment);
        await run.WaitForOutputAsync(Listening(), TimeLimit);

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var placed = await http.PostAsync(new Uri("/orders?customer=ada", UriKind.Relative), null);
        Assert.True(placed.StatusCode == HttpStatusCode.Created, $"POST /orders answered {placed.StatusCode}:\n{run.Output}");
        var order = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var shipment = await WaitForShipmentAsync(http, order, run);
        Assert.Equal("ada", shipment.GetProperty("customer").GetString());
        Assert.Equal("Healthy", await http.GetStringAsync(new Uri("/health", UriKind.Relative)));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM inbox_messages"));

        var (exitCode, _) = await run.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"The service exited with {exitCode} on SIGTERM:\n{run.Output}");
        Assert.DoesNotContain("fail:", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Output, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        await LocalServices.RabbitMQAsync("delete_vhost", _vhost);
        Directory.Delete(_work, recursive: true);
    }

    private static async Task<JsonElement> WaitForShipmentAsync(HttpClient http, Guid order, DotnetProcess run)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var answer = await http.GetAsync(new Uri($"/orders/{order}/shipment", UriKind.Relative));
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                return await answer.Content.ReadFromJsonAsync<JsonElement>();
            }

            Assert.True(answer.StatusCode == HttpStatusCode.NotFound, $"GET shipment answered {answer.StatusCode}:\n{run.Output}");
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"OrderPlaced was not handled within 30 s:\n{run.Output}");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("Now listening on: ")]
    private static partial Regex Listening();
}
