using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Consumers;
using Outbox.Telemetry;
using Outbox.Transport;
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
        using var listener = Listen(stopped);
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

    [Fact]
    public async Task TraceContext_GoesOnThroughTheConsumer_IntoWhatItsHandlerPublishes_WithTheCorrelationId()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = Listen(stopped);
        using var source = new ActivitySource("test");
        var script = new HandlerScript { Publish = true };
        await using var host = OutboxTestHost.Create(
            _database,
            services: s => s.AddSingleton(script),
            outbox: o => o.AddConsumer<OrderPlacedHandler>(c =>
            {
                c.Source = "orders.placed";
                c.Name = "shipping";
            }));
        var consumers = host.Services.GetRequiredService<ConsumerHost>();
        await consumers.StartAsync(CancellationToken.None);
        ActivityTraceId requestTrace;
        Guid placed;
        try
        {
            using (var request = source.StartActivity("place order"))
            {
                requestTrace = request!.TraceId;
                placed = await host.PlaceOrderAsync(new OrderPlaced(1, "traced"));
            }

            for (var i = 0; i < 200 && !host.Memory.HasSubscribers("orders.placed"); i++)
            {
                await Task.Delay(10);
            }

            await host.DrainAsync();
            for (var i = 0; i < 2000 && host.Memory.Sent.All(m => m.MessageType != "OrderShipped"); i++)
            {
                await host.DrainAsync();
                await Task.Delay(10);
            }
        }
        finally
        {
            await consumers.StopAsync(CancellationToken.None);
        }

        var shipped = Assert.Single(host.Memory.Sent, m => m.MessageType == "OrderShipped");
        Assert.StartsWith($"00-{requestTrace}-", shipped.Headers["traceparent"], StringComparison.Ordinal);
        Assert.Equal(placed.ToString(), shipped.Headers[TransportMessage.CorrelationIdHeader]);
        var publish = Assert.Single(stopped, a => a.OperationName == "orders.placed publish" && a.TraceId == requestTrace);
        var process = Assert.Single(stopped, a => a.OperationName == "orders.placed process" && a.TraceId == requestTrace);
        Assert.Equal((ActivityKind.Consumer, publish.SpanId), (process.Kind, process.ParentSpanId));
        Assert.Equal("shipping", process.GetTagItem("messaging.consumer.group.name"));
        var handlerPublish = Assert.Single(stopped, a => a.OperationName == "orders.shipped publish" && a.TraceId == requestTrace);
        Assert.Equal(process.SpanId, handlerPublish.ParentSpanId);
    }

    /// <summary>Records every activity of the outbox and of the test's own source ("test") that stops.</summary>
    private static ActivityListener Listen(ConcurrentBag<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OutboxTelemetry.Name || source.Name == "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
