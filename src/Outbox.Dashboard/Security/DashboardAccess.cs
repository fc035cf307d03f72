using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Outbox.Dashboard;

/// <summary>
/// Refuses a dashboard nobody authorizes outside Development: its endpoints need authorization metadata
/// (<c>RequireAuthorization</c>), or the host a fallback policy, or <see cref="DashboardOptions.AllowAnonymous"/>.
/// </summary>
internal sealed class DashboardAccess(IHostEnvironment environment, IOptions<DashboardOptions> options, IOptions<AuthorizationOptions> authorization)
{
    /// <exception cref="InvalidOperationException">The endpoint is not authorized and may not go without.</exception>
    public void Check(IList<object> metadata, string route)
    {
        if (environment.IsDevelopment() || options.Value.AllowAnonymous)
        {
            return;
        }

        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var authorized = metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<AuthorizationPolicy>().Any() || authorization.Value.FallbackPolicy is not null;
        if (anonymous || !authorized)
        {
            throw new InvalidOperationException(
                $"The Outbox dashboard at {route} has no authorization policy, and the environment is {environment.EnvironmentName}. It shows message "
                + "payloads and requeues and deletes dead letters: call MapOutboxDashboard(…).RequireAuthorization(…) with a policy of the "
                + "application's, or set Outbox:Dashboard:AllowAnonymous to true if something in front of the application authorizes it.");
        }
    }
}
