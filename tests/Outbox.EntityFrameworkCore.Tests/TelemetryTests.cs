using System.Collections.Concurrent;
using System.Diagnostics;
using Outbox.Telemetry;
using Outbox.Testing;

namespace Outbox.Tests;

public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public Task InitializeAsync() => _database.CreateAsync();

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public async Task TraceContext_TravelsFromPublish_ToTheMessageHeaders_AndTheSendIsLinkedToIt()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OutboxTelemetry.Name || source.Name == "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("test");
        await using var host = OutboxTestHost.Create(_database);

        ActivityTraceId requestTrace;
        using (var request = source.StartActivity("place order"))
        {
            requestTrace = request!.TraceId;
            await host.PlaceOrderAsync(new OrderPlaced(1, "traced"));
        }

        await host.DrainAsync();

        var sent = Assert.Single(host.Memory.Sent);
        Assert.StartsWith($"00-{requestTrace}-", sent.Headers["traceparent"], StringComparison.Ordinal);
        // The listener hears every test running in parallel: look only at this test's trace.
        var publish = Assert.Single(stopped, a => a.OperationName == "orders.placed publish" && a.TraceId == requestTrace);
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        var send = Assert.Single(stopped, a => a.OperationName == "outbox send" && a.Links.Any(l => l.Context.TraceId == requestTrace));
        Assert.Equal(ActivityStatusCode.Ok, send.Status);
    }
}
