using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outbox.Dashboard;

namespace Outbox;

/// <summary>Registers the dashboard's services on an <see cref="IOutboxBuilder"/>.</summary>
public static class DashboardOutboxBuilderExtensions
{
    /// <summary>
    /// Adds what the dashboard needs (its settings from <c>Outbox:Dashboard</c>, ASP.NET Core's
    /// anti-forgery); map its pages with <c>app.MapOutboxDashboard("/outbox")</c>.
    /// </summary>
    /// <param name="builder">The outbox builder.</param>
    /// <returns>The same builder.</returns>
    public static IOutboxBuilder UseDashboard(this IOutboxBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAntiforgery();
        builder.Services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection("Dashboard"));
        builder.Services.TryAddSingleton<DashboardAccess>();
        return builder;
    }
}
