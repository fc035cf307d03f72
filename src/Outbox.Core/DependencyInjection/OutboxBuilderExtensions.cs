using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outbox;
using Outbox.Consumers;
using Outbox.Storage;
using Outbox.Transactions;
using Outbox.Transport;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddOutbox</c>'s builder adds: a store, transports, transaction checks and consumers.</summary>
public static class OutboxBuilderExtensions
{
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

        ConsumerRegistrations.Add(builder.Services, typeof(THandler), consumer, $"AddConsumer<{typeof(THandler).Name}>");
        return builder;
    }
}
