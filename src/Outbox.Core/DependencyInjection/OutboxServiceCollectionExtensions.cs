using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox;
using Outbox.Configuration;
using Outbox.Consumers;
using Outbox.DependencyInjection;
using Outbox.Dispatching;
using Outbox.Publishing;
using Outbox.Scheduling;
using Outbox.Serialization;
using Outbox.Storage;
using Outbox.Transactions;
using Outbox.Transport;
using Quartz;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the outbox.</summary>
public static class OutboxServiceCollectionExtensions
{
    private const string NoStorage = "No outbox storage is configured: call UseEntityFrameworkCore<TContext>(database => ...) on the builder AddOutbox returns.";

    /// <summary>
    /// Registers the outbox with its settings in code only: nothing is read from configuration, and the
    /// transports' settings are theirs to be given in code too (<c>UseRabbitMQ(o => …)</c>). Validated at
    /// start-up as the overload that reads a configuration section is.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">The settings, such as routes.</param>
    /// <returns>A builder for the storage and transport.</returns>
    public static IOutboxBuilder AddOutbox(this IServiceCollection services, Action<OutboxOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddOutbox(new ConfigurationBuilder().Build(), configure);
    }

    /// <summary>
    /// Registers the outbox: options bound from <paramref name="configuration"/> (the <c>Outbox</c> section)
    /// and validated at start-up, the dispatcher, and the maintenance jobs. Add a storage
    /// (<c>UseEntityFrameworkCore</c>) and a transport (<c>UseInMemoryTransport</c>, <c>UseRabbitMQ</c>, …).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The <c>Outbox</c> configuration section.</param>
    /// <param name="configure">Settings in code, such as routes; the configuration section overrides them.</param>
    /// <returns>A builder for the storage and transport.</returns>
    public static IOutboxBuilder AddOutbox(this IServiceCollection services, IConfiguration configuration, Action<OutboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var optionsBuilder = services.AddOptions<OutboxOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.Bind(configuration)
            .PostConfigure(options =>
            {
                BindRouteObjects(configuration.GetSection("Routes"), options);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsRanges>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMessageSerializer, SystemTextJsonMessageSerializer>();
        services.TryAddSingleton<OutboxInstance>();
        services.TryAddSingleton<OutboxMessageFactory>();
        services.TryAddSingleton(sp => new OutboxTransports(
            sp.GetServices<TransportRegistration>(), sp.GetServices<ConsumerRegistration>(), sp, sp.GetRequiredService<IOptions<OutboxOptions>>()));

        // The default transport (Outbox:Transport); consumers that name another one read it from OutboxTransports.
        services.TryAddSingleton(sp => sp.GetRequiredService<OutboxTransports>().Default());
        services.TryAddSingleton(sp => sp.GetRequiredService<OutboxTransports>().ReceiverOf(null)
            ?? throw new InvalidOperationException($"The transport '{sp.GetRequiredService<OutboxTransports>().DefaultName}' cannot receive: consumers need a transport with a receive side."));
        services.TryAddSingleton(sp => Pipeline(sp, sp.GetRequiredService<ITransport>()));
        services.TryAddSingleton(sp => new SendPipelines(
            sp.GetRequiredService<SendPipeline>(),
            sp.GetRequiredService<OutboxTransports>(),
            name => Pipeline(sp, sp.GetRequiredService<OutboxTransports>().Get(name)),
            sp.GetRequiredService<IOptions<OutboxOptions>>()));
        services.TryAddSingleton<MessageRelay>();
        services.TryAddSingleton<DispatchSignal>();
        services.TryAddSingleton<IOutboxStore>(sp => ActivatorUtilities.CreateInstance<CoreStore>(
            sp, (sp.GetService<StoreRegistration>() ?? throw new InvalidOperationException(NoStorage)).Create(sp)));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOutboxStore>().DeadLetters);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOutboxStore>().Monitor);
        services.TryAddSingleton<OutboxDispatcher>();
        services.TryAddSingleton<OutboxMaintenance>();
        services.TryAddSingleton<TransactionChecks>();
        services.TryAddSingleton<TransactionalMessages>();
        services.TryAddScoped<IOutbox>(sp => ActivatorUtilities.CreateInstance<ScopedOutbox>(sp, sp.GetRequiredService<IOutboxStore>().Writer(sp)));
        services.TryAddSingleton<IInboxPipeline, InboxPipeline>();
        services.TryAddSingleton<SequenceHolds>();
        services.TryAddSingleton<TransactionCheckRunner>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OutboxDispatcher>(sp => sp.GetRequiredService<OutboxDispatcher>()));
        services.TryAddSingleton<ConsumerHost>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ConsumerHost>(sp => sp.GetRequiredService<ConsumerHost>()));

        AddJobs(services);
        var builder = new OutboxBuilder(services, configuration);
        ConsumerRegistrations.AddConfigured(services, configuration);
        return builder;
    }

    // The Polly pipeline around one transport's sends: the default transport's, or a route's.
    private static SendPipeline Pipeline(IServiceProvider services, ITransport transport) => new(
        transport,
        services.GetRequiredService<IMessageSerializer>(),
        services.GetRequiredService<IOptions<OutboxOptions>>(),
        services.GetRequiredService<TimeProvider>(),
        services.GetRequiredService<DispatchSignal>(),
        services.GetService<ILogger<SendPipeline>>());

    // A route's object form, { "Destination": …, "Transport": …, "Sequenced": … }, which the binder leaves out of Routes.
    private static void BindRouteObjects(IConfigurationSection routes, OutboxOptions options)
    {
        foreach (var route in routes.GetChildren().Where(r => r.Value is null))
        {
            if (route["Destination"] is { Length: > 0 } destination)
            {
                options.Routes[route.Key] = destination;
            }

            if (route["Transport"] is { Length: > 0 } transport)
            {
                options.RouteTransports[route.Key] = transport;
            }

            if (route.GetValue<bool?>("Sequenced") is { } sequenced)
            {
                _ = sequenced ? options.SequencedTypes.Add(route.Key) : options.SequencedTypes.Remove(route.Key);
            }
        }
    }

    private static void AddJobs(IServiceCollection services)
    {
        services.TryAddSingleton<RecoveryJob>();
        services.TryAddSingleton<RetentionJob>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OutboxScheduler>());
    }
}
