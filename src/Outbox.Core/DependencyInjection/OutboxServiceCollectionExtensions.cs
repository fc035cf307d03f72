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
        AddConfiguredConsumers(builder, configuration);
        return builder;
    }

    /// <summary>
    /// Sends messages to an <see cref="InMemoryTransport"/> in this process (resolve it to read what was sent).
    /// For the demo, tests and local development.
    /// </summary>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="configure">Transport settings.</param>
    /// <returns>The builder.</returns>
    public static IOutboxBuilder UseInMemoryTransport(this IOutboxBuilder builder, Action<InMemoryTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<InMemoryTransportOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder.UseTransport<InMemoryTransport>(InMemoryTransport.TransportName);
    }

    /// <summary>
    /// Registers the database the outbox keeps its messages in: one store, offering every facet from one
    /// object. Store packages call it from their <c>UseX()</c> (such as <c>UseEntityFrameworkCore</c>).
    /// </summary>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="store">Creates the store (once: the result is kept for the life of the service provider).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">A store is registered already: an outbox keeps its messages in one database.</exception>
    public static IOutboxBuilder UseStore(this IOutboxBuilder builder, Func<IServiceProvider, IOutboxStore> store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        if (builder.Services.Any(d => d.ImplementationInstance is StoreRegistration))
        {
            throw new InvalidOperationException("The outbox has a store already: it keeps its messages in one database, so register one store (UseEntityFrameworkCore<TContext> once).");
        }

        builder.Services.AddSingleton(new StoreRegistration(store));
        return builder;
    }

    /// <summary>
    /// Registers <typeparamref name="TTransport"/>, a singleton, as the transport named <paramref name="name"/>:
    /// its send side, and its receive side when it also implements <see cref="IMessageReceiver"/>. A
    /// transport package's <c>UseX()</c> calls it; calling it again with the same name changes nothing.
    /// </summary>
    /// <typeparam name="TTransport">The transport; created by the container.</typeparam>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="name">The transport's name, such as <c>RabbitMQ</c> (compared without regard to case).</param>
    /// <returns>The builder.</returns>
    public static IOutboxBuilder UseTransport<TTransport>(this IOutboxBuilder builder, string name)
        where TTransport : class, ITransport
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TTransport>();
        Func<IServiceProvider, IMessageReceiver>? receiver = typeof(IMessageReceiver).IsAssignableFrom(typeof(TTransport))
            ? sp => (IMessageReceiver)sp.GetRequiredService<TTransport>()
            : null;
        return builder.HasTransport(name) ? builder : builder.UseTransport(name, sp => sp.GetRequiredService<TTransport>(), receiver);
    }

    /// <summary>
    /// Registers <typeparamref name="TTransport"/> and <typeparamref name="TReceiver"/>, singletons, as the send
    /// and receive sides of the transport named <paramref name="name"/>. A transport package's <c>UseX()</c>
    /// calls it; calling it again with the same name changes nothing.
    /// </summary>
    /// <typeparam name="TTransport">The send side; created by the container.</typeparam>
    /// <typeparam name="TReceiver">The receive side; created by the container.</typeparam>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="name">The transport's name, such as <c>RabbitMQ</c> (compared without regard to case).</param>
    /// <returns>The builder.</returns>
    public static IOutboxBuilder UseTransport<TTransport, TReceiver>(this IOutboxBuilder builder, string name)
        where TTransport : class, ITransport
        where TReceiver : class, IMessageReceiver
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TTransport>();
        builder.Services.TryAddSingleton<TReceiver>();
        return builder.HasTransport(name)
            ? builder
            : builder.UseTransport(name, sp => sp.GetRequiredService<TTransport>(), sp => sp.GetRequiredService<TReceiver>());
    }

    /// <summary>
    /// Registers a transport under <paramref name="name"/>, the name <c>Outbox:Transport</c> and a consumer's
    /// <c>Transport</c> choose it by. Transport packages call it from their <c>UseX()</c>; a service may
    /// register several and choose between them in configuration.
    /// </summary>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="name">The transport's name, such as <c>RabbitMQ</c> (compared without regard to case).</param>
    /// <param name="transport">Resolves its send side (once: the result is kept).</param>
    /// <param name="receiver">Resolves its receive side, for consumers; <see langword="null"/> when it cannot receive.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A transport of that name is registered already.</exception>
    public static IOutboxBuilder UseTransport(this IOutboxBuilder builder, string name, Func<IServiceProvider, ITransport> transport, Func<IServiceProvider, IMessageReceiver>? receiver = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(transport);
        if (builder.HasTransport(name))
        {
            throw new ArgumentException($"A transport named '{name}' is registered already.", nameof(name));
        }

        builder.Services.AddSingleton(new TransportRegistration(name, transport, receiver));
        return builder;
    }

    /// <summary>Whether a transport named <paramref name="name"/> is registered, so that a transport's <c>UseX()</c> may be called twice.</summary>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="name">The transport's name.</param>
    /// <returns><see langword="true"/> when <c>UseTransport</c> registered it.</returns>
    public static bool HasTransport(this IOutboxBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.Any(d => d.ImplementationInstance is TransportRegistration registered && string.Equals(registered.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Registers the check callback that decides half messages of <typeparamref name="TMessage"/> when
    /// neither a commit nor a rollback reached them (RocketMQ's <c>checkLocalTransaction</c>). It runs in
    /// a DI scope of its own. Interceptor-written rows of this type are then decided by it too, instead
    /// of being taken as committed.
    /// </summary>
    /// <typeparam name="TMessage">A registered message type.</typeparam>
    /// <typeparam name="TCheck">The check; registered as scoped.</typeparam>
    /// <param name="builder">The outbox builder.</param>
    /// <returns>The builder.</returns>
    public static IOutboxBuilder AddTransactionCheck<TMessage, TCheck>(this IOutboxBuilder builder)
        where TCheck : class, ITransactionCheck<TMessage>
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<TCheck>();
        builder.Services.AddSingleton(new TransactionCheckRegistration(
            typeof(TMessage),
            (provider, message, context, cancellationToken) => provider.GetRequiredService<TCheck>().CheckAsync((TMessage)message, context, cancellationToken)));
        return builder;
    }

    /// <summary>
    /// Declares a consumer: <typeparamref name="THandler"/> handles every message sent to
    /// <see cref="ConsumerEndpointOptions.Source"/>, once per message id (the inbox), in a transaction with its
    /// database changes and the messages it publishes.
    /// </summary>
    /// <typeparam name="THandler">An <see cref="IMessageHandler{TMessage}"/> of a registered message type; registered as scoped.</typeparam>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="configure">Sets <see cref="ConsumerEndpointOptions.Source"/> and <see cref="ConsumerEndpointOptions.Name"/> (both required).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The handler implements no or several <see cref="IMessageHandler{TMessage}"/>, or the source or name is missing.</exception>
    public static IOutboxBuilder AddConsumer<THandler>(this IOutboxBuilder builder, Action<ConsumerEndpointOptions> configure)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var consumer = new ConsumerEndpointOptions();
        configure(consumer);
        if (!string.IsNullOrWhiteSpace(consumer.Name))
        {
            // Settings in Outbox:Consumers:Endpoints:{Name} override the code.
            builder.Configuration.GetSection($"Consumers:Endpoints:{consumer.Name}").Bind(consumer);
        }

        AddConsumer(builder.Services, typeof(THandler), consumer, $"AddConsumer<{typeof(THandler).Name}>");
        return builder;
    }

    // Outbox:Consumers:Endpoints:{Name} is read here, at registration, not bound into OutboxOptions:
    // an entry with a Handler declares a consumer; one without overrides the consumer of that name
    // declared in code (see AddConsumer).
    private static void AddConfiguredConsumers(OutboxBuilder builder, IConfiguration configuration)
    {
        foreach (var endpoint in configuration.GetSection("Consumers:Endpoints").GetChildren())
        {
            var consumer = new ConsumerEndpointOptions { Name = endpoint.Key };
            endpoint.Bind(consumer);
            if (consumer.Handler is null)
            {
                continue; // settings for a consumer declared in code
            }

            var setting = $"Outbox:Consumers:Endpoints:{endpoint.Key}:Handler";
            var handler = Type.GetType(consumer.Handler, throwOnError: false)
                ?? throw new InvalidOperationException($"{setting} names '{consumer.Handler}', which is not a type that can be loaded; write it as 'Namespace.Type, Assembly'.");
            AddConsumer(builder.Services, handler, consumer, setting);
        }
    }

    private static void AddConsumer(IServiceCollection services, Type handler, ConsumerEndpointOptions consumer, string declaredBy)
    {
        var handles = handler.GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IMessageHandler<>))
            .Select(i => i.GetGenericArguments()[0])
            .ToList();
        if (handles.Count != 1)
        {
            throw new ArgumentException($"{declaredBy}: {handler.Name} must implement IMessageHandler<TMessage> for exactly one message type (it implements {handles.Count}).");
        }

        if (string.IsNullOrWhiteSpace(consumer.Source) || string.IsNullOrWhiteSpace(consumer.Name))
        {
            throw new ArgumentException($"{declaredBy} needs a Source and a Name (Source was '{consumer.Source}', Name was '{consumer.Name}').");
        }

        services.TryAddScoped(handler);
        var invoke = typeof(OutboxServiceCollectionExtensions)
            .GetMethod(nameof(InvokeHandler), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(handler, handles[0])
            .CreateDelegate<Func<IServiceProvider, object, MessageContext, CancellationToken, Task>>();
        services.AddSingleton(new ConsumerRegistration(consumer.Name, consumer.Source, handles[0], consumer.MaxConcurrency, consumer.MaxDeliveries, consumer.Ordering, consumer.Transport, consumer.CheckSequence, consumer.OnSequenceGap, invoke));
    }

    private static Task InvokeHandler<THandler, TMessage>(IServiceProvider services, object message, MessageContext context, CancellationToken cancellationToken)
        where THandler : class =>
        ((IMessageHandler<TMessage>)services.GetRequiredService<THandler>()).HandleAsync((TMessage)message, context, cancellationToken).AsTask();

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
