using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.DependencyInjection;

internal sealed class OutboxBuilder(IServiceCollection services, IConfiguration configuration) : IOutboxBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration Configuration { get; } = configuration;
}
