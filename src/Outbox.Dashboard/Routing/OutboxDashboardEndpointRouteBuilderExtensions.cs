using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Dashboard;
using Outbox.Dashboard.Pages;

namespace Outbox;

/// <summary>Maps the dashboard's pages on an ASP.NET Core application.</summary>
public static class OutboxDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard under <paramref name="pattern"/>: overview, messages, half messages and dead
    /// letters, with requeue and purge. Register it first with <c>AddOutbox(…).UseDashboard()</c>.
    /// Outside the Development environment the application refuses to start unless the dashboard is
    /// authorized (<c>.RequireAuthorization(…)</c> on what this returns, or a fallback policy) or
    /// <c>Outbox:Dashboard:AllowAnonymous</c> is set.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="pattern">Where the dashboard lives.</param>
    /// <returns>The dashboard's endpoints, for <c>RequireAuthorization</c> and other conventions.</returns>
    public static IEndpointConventionBuilder MapOutboxDashboard(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = "/outbox")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var access = endpoints.ServiceProvider.GetService<DashboardAccess>()
            ?? throw new InvalidOperationException("The Outbox dashboard is not registered: call services.AddOutbox(…).UseDashboard() before MapOutboxDashboard.");
        var root = "/" + pattern.Trim('/');
        var group = endpoints.MapGroup(root);
        var dashboard = endpoints.DataSources.Last();
        ((IEndpointConventionBuilder)group).Finally(endpoint => access.Check(endpoint.Metadata, root));
        group.ExcludeFromDescription();

        group.MapGet("/", (HttpContext context, CancellationToken token) => OverviewPage.RenderAsync(new DashboardPage(context, root), token));
        group.MapGet("/messages", (HttpContext context, CancellationToken token) => MessagesPage.ListAsync(new DashboardPage(context, root), token));
        group.MapGet("/messages/{id:guid}", (HttpContext context, Guid id, CancellationToken token) => MessagesPage.ShowAsync(new DashboardPage(context, root), id, token));
        group.MapGet("/half-messages", (HttpContext context, CancellationToken token) => HalfMessagesPage.RenderAsync(new DashboardPage(context, root), token));
        group.MapGet("/dead-letters", (HttpContext context, CancellationToken token) => DeadLettersPage.ListAsync(new DashboardPage(context, root), token));
        group.MapGet("/dead-letters/{id:guid}", (HttpContext context, Guid id, CancellationToken token) => DeadLettersPage.ShowAsync(new DashboardPage(context, root), id, token));
        group.MapPost("/dead-letters/{action:regex(^(requeue|purge)$)}", (HttpContext context, string action, CancellationToken token) =>
            DeadLetterActions.RunAsync(new DashboardPage(context, root), action, token));

        // Building the dashboard's endpoints when the application builds its pipeline runs the check above
        // at start-up, so an unauthorized dashboard stops the application there rather than at its first request.
        if (endpoints is IApplicationBuilder app)
        {
            app.Use(next =>
            {
                _ = dashboard.Endpoints;
                return next;
            });
        }

        return group;
    }
}
