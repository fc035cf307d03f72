namespace Outbox;

/// <summary>The dashboard's settings, bound from <c>Outbox:Dashboard</c>.</summary>
public sealed class DashboardOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether the dashboard may run without an authorization policy
    /// outside the Development environment. Leave it off and call <c>RequireAuthorization</c> on what
    /// <c>MapOutboxDashboard</c> returns: the dashboard shows payloads and requeues and deletes dead letters.
    /// </summary>
    /// <value>The default is <see langword="false"/>: outside Development, the application refuses to start with an unauthorized dashboard.</value>
    public bool AllowAnonymous { get; set; }
}
