using Microsoft.Extensions.Logging;
using Quartz;

namespace Outbox.Scheduling;

[DisallowConcurrentExecution]
internal sealed class RetentionJob(OutboxMaintenance maintenance, ILogger<RetentionJob> logger) : MaintenanceJob(logger)
{
    protected override Task RunAsync(CancellationToken cancellationToken) => maintenance.CleanUpAsync(cancellationToken);
}
