using Microsoft.Extensions.Logging;
using Quartz;

namespace Outbox.Scheduling;

[DisallowConcurrentExecution]
internal sealed class RecoveryJob(OutboxMaintenance maintenance, ILogger<RecoveryJob> logger) : MaintenanceJob(logger)
{
    protected override Task RunAsync(CancellationToken cancellationToken) => maintenance.RecoverAsync(cancellationToken);
}
