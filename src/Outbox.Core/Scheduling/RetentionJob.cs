using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace Outbox.Scheduling;

[DisallowConcurrentExecution]
internal sealed class RetentionJob(OutboxMaintenance maintenance, IOptions<OutboxOptions> options, TimeProvider timeProvider, ILogger<RetentionJob> logger)
    : MaintenanceJob(logger, "The retention job", timeProvider, options.Value.Retention.Interval)
{
    protected override Task RunAsync(CancellationToken cancellationToken) => maintenance.CleanUpAsync(cancellationToken);
}
