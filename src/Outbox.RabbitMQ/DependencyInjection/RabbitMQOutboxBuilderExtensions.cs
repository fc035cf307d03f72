using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outbox;
using Outbox.RabbitMQ;
using Outbox.RabbitMQ.Configuration;
using Outbox.RabbitMQ.Connection;
using Outbox.RabbitMQ.Consuming;
using Outbox.RabbitMQ.Publishing;
using Outbox.Transport;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Sends and receives outbox messages through RabbitMQ.</summary>
public static class RabbitMQOutboxBuilderExtensions
{
    /// <summary>The name it is registered under: <c>Outbox:Transport</c> = <c>RabbitMQ</c> chooses it.</summary>
    public const string TransportName = "RabbitMQ";

    /// <summary>
    /// Publishes outbox messages to RabbitMQ with publisher confirms and the <c>mandatory</c> flag, and
    /// feeds consumers declared with <c>AddConsumer</c> from queues named after them. Settings bind from
    /// <c>Outbox:RabbitMQ</c> and are checked at start-up, when the connection is opened and the exchange
    /// declared, if the service uses RabbitMQ: as its default transport (<c>Outbox:Transport</c>) or for a
    /// consumer. Registered but not used, it opens no connection.
    /// </summary>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="configure">Settings in code; the configuration section overrides them.</param>
    /// <returns>The builder.</returns>
    public static IOutboxBuilder UseRabbitMQ(this IOutboxBuilder builder, Action<RabbitMQOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<RabbitMQOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Bind(builder.Configuration.GetSection(RabbitMQDefaults.SectionName)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RabbitMQOptions>, RabbitMQOptionsValidator>());
        builder.Services.TryAddSingleton<RabbitMQConnection>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RabbitMQStartup>());
        #region register-transport
        return builder.UseTransport<RabbitMQTransport, RabbitMQReceiver>(TransportName);
        #endregion
    }
}
