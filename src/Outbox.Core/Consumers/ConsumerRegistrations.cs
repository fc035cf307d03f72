using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Outbox.Consumers;

/// <summary>Consumers declared in code (<c>AddConsumer</c>) or in configuration, registered with the handler they call.</summary>
internal static class ConsumerRegistrations
{
    // Outbox:Consumers:Endpoints:{Name} is read here, at registration, not bound into OutboxOptions:
    // an entry with a Handler declares a consumer; one without overrides the consumer of that name
    // declared in code (see OutboxBuilderExtensions.AddConsumer).
    public static void AddConfigured(IServiceCollection services, IConfiguration configuration)
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
            Add(services, handler, consumer, setting);
        }
    }

    /// <summary>Registers <paramref name="handler"/> as the consumer <paramref name="consumer"/> describes; <paramref name="declaredBy"/> names where, for the errors.</summary>
    public static void Add(IServiceCollection services, Type handler, ConsumerEndpointOptions consumer, string declaredBy)
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
        var invoke = typeof(ConsumerRegistrations)
            .GetMethod(nameof(InvokeHandler), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(handler, handles[0])
            .CreateDelegate<Func<IServiceProvider, object, MessageContext, CancellationToken, Task>>();
        services.AddSingleton(new ConsumerRegistration(consumer.Name, consumer.Source, handles[0], consumer.MaxConcurrency, consumer.MaxDeliveries, consumer.Ordering, consumer.Transport, consumer.CheckSequence, consumer.OnSequenceGap, invoke));
    }

    private static Task InvokeHandler<THandler, TMessage>(IServiceProvider services, object message, MessageContext context, CancellationToken cancellationToken)
        where THandler : class =>
        ((IMessageHandler<TMessage>)services.GetRequiredService<THandler>()).HandleAsync((TMessage)message, context, cancellationToken).AsTask();
}
