using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outbox.Dispatching;
using Outbox.Storage;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>A store registered by one call, and what the outbox does around any store so that the store does not have to.</summary>
public sealed class StoreSeamTests
{
    private readonly RecordingStore _store = new();
    private readonly LogCapture _logs = new();

    [Fact]
    public async Task ARequeue_WakesTheDispatcher_AndIsLoggedOnce_WhateverTheStore()
    {
        using var services = Services(builder => builder.UseStore(_ => _store));
        var signal = services.GetRequiredService<DispatchSignal>();
        _store.Requeuable = 3;

        var wait = signal.Arm();
        var requeued = await services.GetRequiredService<IDeadLetterQueue>().RequeueAsync(new DeadLetterFilter { Reason = "max-attempts" });

        Assert.Equal(3, requeued);
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        var logged = Assert.Single(_logs.Entries, e => e.EventId.Id == 9);
        Assert.Equal((LogLevel.Information, "Requeued 3 dead letter(s)."), (logged.Level, logged.Message));

        wait = signal.Arm();
        Assert.True(await services.GetRequiredService<IOutboxStore>().DeadLetters.RequeueAsync(Guid.NewGuid()));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ARequeueThatFindsNothing_NeitherWakesNorLogs()
    {
        using var services = Services(builder => builder.UseStore(_ => _store));
        var wait = services.GetRequiredService<DispatchSignal>().Arm();

        Assert.Equal(0, await services.GetRequiredService<IDeadLetterQueue>().RequeueAsync(new DeadLetterFilter()));
        Assert.False(await services.GetRequiredService<IDeadLetterQueue>().RequeueAsync(Guid.NewGuid()));

        Assert.False(wait.IsCompleted);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id == 9);
    }

    [Fact]
    public void TheStore_IsCreatedOnce_AndItsFacetsAreWhatTheOutboxUses()
    {
        var created = 0;
        using var services = Services(builder => builder.UseStore(_ =>
        {
            created++;
            return _store;
        }));

        var store = services.GetRequiredService<IOutboxStore>();
        Assert.Same(store.DeadLetters, services.GetRequiredService<IDeadLetterQueue>());
        Assert.Same(_store, store.Dispatch);
        Assert.Same(_store, store.Inbox);
        Assert.Same(services.GetRequiredService<IOutboxStore>(), store);
        Assert.Equal(1, created);
    }

    [Fact]
    public void ASecondStore_IsRefusedAtRegistration()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Services(builder => builder.UseStore(_ => _store).UseStore(_ => new RecordingStore())));

        Assert.StartsWith("The outbox has a store already", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoStore_SaysHowToRegisterOne()
    {
        using var services = Services(_ => { });

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IDeadLetterQueue>());

        Assert.Equal("No outbox storage is configured: call UseEntityFrameworkCore<TContext>(database => ...) on the builder AddOutbox returns.", error.Message);
    }

    private ServiceProvider Services(Action<IOutboxBuilder> outbox)
    {
        var services = new ServiceCollection();
        services.AddLogging().AddSingleton<ILoggerProvider>(_logs);
        outbox(services.AddOutbox(new ConfigurationBuilder().Build().GetSection("Outbox")).UseInMemoryTransport());
        return services.BuildServiceProvider();
    }
}
