using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.DependencyInjection;

internal sealed class OutboxBuilder(IServiceCollection services, IConfiguration configuration) : IOutboxBuilder
{
    public IServiceCollection Services { get; } = services;

    /// <summary>The <c>Outbox</c> section, for settings that shape registration (consumer endpoints).</summary>
    public IConfiguration Configuration { get; } = configuration;
}
