using Outbox.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of the outbox, for <c>AddHealthChecks()</c>.</summary>
public static class OutboxHealthChecksBuilderExtensions
{
    /// <summary>The tag every outbox health check carries, to map them on an endpoint of their own.</summary>
    public const string Tag = "outbox";

    /// <summary>
    /// Adds three checks, tagged <see cref="Tag"/>: <c>outbox-database</c> (the outbox's database answers;
    /// Degraded when an unsent message has been due for longer than <c>Outbox:Health:MaxPendingAge</c>),
    /// <c>outbox-transport</c> (every transport the service uses reaches its broker) and <c>outbox-running</c>
    /// (the dispatcher's loops run and every consumer reads). Each is Unhealthy when it fails, and gives up
    /// after <paramref name="timeout"/>.
    /// </summary>
    /// <param name="builder">The builder <c>AddHealthChecks()</c> returns.</param>
    /// <param name="timeout">How long one check may take; the default is 5 seconds.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddOutboxHealthChecks(this IHealthChecksBuilder builder, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        return builder
            .AddCheck<DatabaseHealthCheck>("outbox-database", tags: [Tag], timeout: limit)
            .AddCheck<TransportHealthCheck>("outbox-transport", tags: [Tag], timeout: limit)
            .AddCheck<RunningHealthCheck>("outbox-running", tags: [Tag], timeout: limit);
    }
}
