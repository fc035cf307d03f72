using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outbox;
using Outbox.Kafka.Configuration;
using Outbox.Kafka.Connection;
using Outbox.Kafka.Consuming;
using Outbox.Kafka.Publishing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Sends and receives outbox messages through Kafka.</summary>
public static class KafkaOutboxBuilderExtensions
{
    /// <summary>The name it is registered under: <c>Outbox:Transport</c> = <c>Kafka</c> chooses it.</summary>
    public const string TransportName = "Kafka";

    /// <summary>
    /// Publishes outbox messages to Kafka (the destination is the topic, the message key the record key)
    /// with an idempotent producer and <c>acks=all</c>, and feeds consumers declared with <c>AddConsumer</c>
    /// from consumer groups named after them, committing offsets only after the handler's transaction.
    /// Settings bind from <c>Outbox:Kafka</c> and are checked at start-up, when the brokers are asked for
    /// their metadata, if the service uses Kafka: as its default transport (<c>Outbox:Transport</c>) or for a
    /// consumer. Registered but not used, it opens no connection.
    /// </summary>
    /// <param name="builder">The outbox builder.</param>
    /// <param name="configure">Settings in code; the configuration section overrides them.</param>
    /// <returns>The builder.</returns>
    public static IOutboxBuilder UseKafka(this IOutboxBuilder builder, Action<KafkaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<KafkaOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Bind(builder.Configuration.GetSection(KafkaDefaults.SectionName)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>());
        builder.Services.TryAddSingleton<KafkaBrokers>();
        builder.Services.TryAddSingleton<KafkaClients>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KafkaStartup>());
        return builder.UseTransport<KafkaTransport, KafkaReceiver>(TransportName);
    }
}
