using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox;

/// <summary>Returned by <c>AddOutbox</c>; storage and transport packages add their <c>Use…</c> methods to it.</summary>
public interface IOutboxBuilder
{
    /// <summary>The service collection the outbox is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>The <c>Outbox</c> configuration section given to <c>AddOutbox</c>; packages bind their sections (<c>Outbox:RabbitMQ</c>, …) from it.</summary>
    IConfiguration Configuration { get; }
}
